namespace Emotion.Orleans.Training;

/// <summary>Column positions by header name, so loaders do not depend on column order.</summary>
internal sealed class HeaderMap
{
    private readonly Dictionary<string, int> _columns;
    private readonly string _file;

    public HeaderMap(string[] header, string file)
    {
        _file = file;
        _columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Length; i++)
        {
            _columns.TryAdd(header[i].Trim(), i);
        }
    }

    public int Width => _columns.Count;

    public int Require(string name) =>
        _columns.TryGetValue(name, out var index)
            ? index
            : throw new FormatException($"{_file}: missing column '{name}'.");

    public int? Optional(string name) => _columns.TryGetValue(name, out var index) ? index : null;
}

/// <summary>Counting helper for rows a loader leaves out.</summary>
internal static class DropCounts
{
    public static void Add(Dictionary<string, int> counts, string reason, int n = 1) =>
        counts[reason] = counts.TryGetValue(reason, out var c) ? c + n : n;
}
