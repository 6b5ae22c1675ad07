namespace Emotion.Orleans.Training.Tests;

internal static class Datasets
{
    /// <summary>The datasets root; skips the calling test when it is absent.</summary>
    public static string Require(string sub)
    {
        var root = DatasetFolders.Find();
        Skip.If(root is null, $"No labelled datasets (set {DatasetFolders.EnvironmentVariable}).");
        var folder = Path.Combine(root!, sub);
        Skip.IfNot(Directory.Exists(folder), $"{folder} is absent.");
        return folder;
    }
}
