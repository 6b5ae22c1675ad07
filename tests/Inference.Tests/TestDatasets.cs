namespace Emotion.Orleans.Inference.Tests;

/// <summary>
/// Finds the labelled datasets for the tests that need them: <c>EMOTION_DATASETS</c>, else a
/// <c>shared/datasets</c> folder beside a parent of the test binaries; null when absent (those
/// tests are then skipped, not passed).
/// </summary>
internal static class TestDatasets
{
    public static string? Root { get; } = Find();

    /// <summary>A folder under the datasets root, or null when it (or the root) is absent.</summary>
    public static string? Folder(params string[] parts) =>
        Root is { } root && Directory.Exists(Path.Combine([root, .. parts])) ? Path.Combine([root, .. parts]) : null;

    private static string? Find()
    {
        var configured = Environment.GetEnvironmentVariable("EMOTION_DATASETS");
        if (!string.IsNullOrEmpty(configured))
        {
            return Directory.Exists(configured) ? configured : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "datasets");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
