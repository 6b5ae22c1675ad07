namespace Emotion.Orleans.Deploy.Tests;

/// <summary>The instructions of a Dockerfile (continuation lines joined, comments dropped).</summary>
internal sealed class Dockerfile
{
    private Dockerfile(IReadOnlyList<(string Keyword, string[] Arguments)> instructions) => Instructions = instructions;

    public IReadOnlyList<(string Keyword, string[] Arguments)> Instructions { get; }

    /// <summary>FROM images with their stage names (null when unnamed).</summary>
    public IEnumerable<(string Image, string? Stage)> Stages =>
        Instructions.Where(i => i.Keyword == "FROM").Select(i =>
        {
            var args = i.Arguments.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
            return (args[0], args.Length >= 3 && args[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? args[2] : (string?)null);
        });

    /// <summary>Sources of COPY/ADD instructions that read the build context (not another stage).</summary>
    public IEnumerable<string> ContextSources =>
        Instructions
            .Where(i => i.Keyword is "COPY" or "ADD")
            .Where(i => !i.Arguments.Any(a => a.StartsWith("--from=", StringComparison.Ordinal)))
            .SelectMany(i =>
            {
                var paths = i.Arguments.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
                return paths[..^1];
            });

    public static Dockerfile Load(string path)
    {
        List<(string, string[])> instructions = [];
        var pending = "";
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var full = (pending + line).Trim();
            pending = "";
            if (full.Length == 0)
            {
                continue;
            }

            var parts = full.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            instructions.Add((parts[0].ToUpperInvariant(), parts[1..]));
        }

        return new Dockerfile(instructions);
    }
}
