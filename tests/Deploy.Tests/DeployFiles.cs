using YamlDotNet.RepresentationModel;

namespace Emotion.Orleans.Deploy.Tests;

/// <summary>Finds the repository's deploy/ folder and reads its YAML.</summary>
internal static class DeployFiles
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string DeployDirectory => Path.Combine(RepositoryRoot, "deploy");

    public static string PathOf(params string[] parts) => Path.Combine([DeployDirectory, .. parts]);

    public static IReadOnlyList<YamlMappingNode> LoadYaml(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }

        return [.. stream.Documents.Select(d => Assert.IsType<YamlMappingNode>(d.RootNode))];
    }

    public static YamlMappingNode LoadSingleYaml(string path) => Assert.Single(LoadYaml(path));

    /// <summary>A mapping's child, following YAML merge keys (<c>&lt;&lt;: *anchor</c>).</summary>
    public static YamlNode? Child(this YamlNode? node, string key)
    {
        if (node is not YamlMappingNode mapping)
        {
            return null;
        }

        if (mapping.Children.TryGetValue(new YamlScalarNode(key), out var value))
        {
            return value;
        }

        return mapping.Children.TryGetValue(new YamlScalarNode("<<"), out var merged) ? merged.Child(key) : null;
    }

    public static string? Scalar(this YamlNode? node, string key) => (node.Child(key) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlNode> Items(this YamlNode? node) => node is YamlSequenceNode sequence ? sequence.Children : [];

    public static IEnumerable<KeyValuePair<string, YamlNode>> Entries(this YamlNode? node) =>
        node is YamlMappingNode mapping
            ? mapping.Children.Select(c => new KeyValuePair<string, YamlNode>(((YamlScalarNode)c.Key).Value!, c.Value))
            : [];

    /// <summary>
    /// Whether an image reference is pinned: a digest, or an exact version tag (major.minor.patch,
    /// optionally with a variant suffix) that is not <c>latest</c>.
    /// </summary>
    public static bool IsPinned(string image)
    {
        if (image.Contains("@sha256:", StringComparison.Ordinal))
        {
            return true;
        }

        var tag = Tag(image);
        return tag is not null && System.Text.RegularExpressions.Regex.IsMatch(tag, @"^v?\d+\.\d+\.\d+([.-][A-Za-z0-9.-]+)?$");
    }

    /// <summary>The tag of an image reference, or null without one.</summary>
    public static string? Tag(string image)
    {
        var name = image[(image.LastIndexOf('/') + 1)..];
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : name[(colon + 1)..];
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Emotion.Orleans.sln")) && Directory.Exists(Path.Combine(dir.FullName, "deploy")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No repository root with deploy/ above {AppContext.BaseDirectory}.");
    }
}
