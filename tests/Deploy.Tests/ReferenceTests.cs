using System.Text.RegularExpressions;

namespace Emotion.Orleans.Deploy.Tests;

public sealed partial class ReferenceTests
{
    [Fact]
    public void Every_repository_path_named_in_deploy_exists()
    {
        var checkedPaths = 0;
        foreach (var file in Directory.EnumerateFiles(DeployFiles.DeployDirectory, "*", SearchOption.AllDirectories))
        {
            foreach (Match match in RepositoryPath().Matches(File.ReadAllText(file)))
            {
                var path = Path.Combine(DeployFiles.RepositoryRoot, match.Value.TrimEnd('/', '.'));
                Assert.True(File.Exists(path) || Directory.Exists(path), $"{Path.GetRelativePath(DeployFiles.RepositoryRoot, file)} names {match.Value}, which is missing");
                checkedPaths++;
            }
        }

        Assert.True(checkedPaths > 10, $"only {checkedPaths} paths found");
    }

    [GeneratedRegex(@"(?<![\w/.-])deploy/[\w./-]*[\w/]")]
    private static partial Regex RepositoryPath();
}
