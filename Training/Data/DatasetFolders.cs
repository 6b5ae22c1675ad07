namespace Emotion.Orleans.Training;

/// <summary>Finds the labelled-data root: <c>EMOTION_DATASETS</c>, else a <c>shared/datasets</c> folder beside the repository.</summary>
public static class DatasetFolders
{
    /// <summary>Name of the environment variable that points at the datasets root.</summary>
    public const string EnvironmentVariable = "EMOTION_DATASETS";

    /// <summary>
    /// The datasets root, or null when none is found: the environment variable when set (and the
    /// folder exists), otherwise the first <c>shared/datasets</c> found walking up from
    /// <paramref name="start"/> (default: the application base directory).
    /// </summary>
    public static string? Find(string? start = null)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Directory.Exists(fromEnvironment) ? Path.GetFullPath(fromEnvironment) : null;
        }

        for (var dir = new DirectoryInfo(start ?? AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
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
