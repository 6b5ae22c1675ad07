using System.Text.RegularExpressions;

namespace Emotion.Orleans.Deploy.Tests;

/// <summary>Reads the metric names out of a PromQL expression.</summary>
internal static partial class PromQl
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal) { "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless" };

    /// <summary>
    /// The selectors' metric names: identifiers that are not function calls, keywords, label names
    /// (inside braces or grouping clauses), strings, ranges or numbers.
    /// </summary>
    public static IReadOnlySet<string> MetricNames(string expression)
    {
        var s = StringLiteral().Replace(expression, "\"\"");
        s = LabelMatchers().Replace(s, "");
        s = RangeOrSubquery().Replace(s, "");
        s = Grouping().Replace(s, "");
        return Identifier().Matches(s).Select(m => m.Value).Where(n => !Keywords.Contains(n)).ToHashSet(StringComparer.Ordinal);
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex RangeOrSubquery();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w.$])[a-zA-Z_][a-zA-Z0-9_:]*\b(?!\s*\()")]
    private static partial Regex Identifier();
}
