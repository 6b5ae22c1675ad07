namespace Emotion.Orleans.Inference.Benchmarks;

/// <summary>Finds the labelled datasets that supply real speech and face inputs.</summary>
internal static class Datasets
{
    /// <summary>
    /// <c>$EMOTION_DATASETS</c>, else a <c>shared/datasets</c> folder found walking up from the
    /// binaries; null when neither exists.
    /// </summary>
    public static string? Root { get; } = Find();

    /// <summary>A folder under the datasets root holding <paramref name="marker"/>; null when absent.</summary>
    public static string? Folder(string relative, string marker)
    {
        if (Root is null)
        {
            return null;
        }

        var folder = Path.Combine(Root, relative);
        return File.Exists(Path.Combine(folder, marker)) ? folder : null;
    }

    /// <summary>Rows of a simple CSV with a header (no quoted commas), as column → value maps.</summary>
    public static IEnumerable<Dictionary<string, string>> ReadCsv(string path)
    {
        using var reader = new StreamReader(path);
        var header = reader.ReadLine()?.Split(',') ?? [];
        while (reader.ReadLine() is { } line)
        {
            var fields = line.Split(',');
            if (fields.Length == header.Length)
            {
                yield return header.Zip(fields).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
            }
        }
    }

    private static string? Find()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("EMOTION_DATASETS");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return Directory.Exists(fromEnvironment) ? fromEnvironment : null;
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "datasets");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
