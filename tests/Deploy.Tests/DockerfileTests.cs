using System.Text.Json;

namespace Emotion.Orleans.Deploy.Tests;

public sealed class DockerfileTests
{
    private static readonly string[] BuildSettings = ["global.json", "Directory.Build.props", "Directory.Packages.props"];

    public static TheoryData<string> Dockerfiles => ["Dockerfile.silo-cpu", "Dockerfile.silo-gpu"];

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Every_base_image_is_pinned_to_an_exact_version(string name)
    {
        var dockerfile = Dockerfile.Load(DeployFiles.PathOf(name));
        var stages = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (image, stage) in dockerfile.Stages)
        {
            if (!stages.Contains(image))
            {
                Assert.True(DeployFiles.IsPinned(image), $"{name}: FROM {image} is not pinned");
            }

            if (stage is not null)
            {
                stages.Add(stage);
            }
        }

        foreach (var copy in dockerfile.Instructions.Where(i => i.Keyword == "COPY"))
        {
            var from = copy.Arguments.FirstOrDefault(a => a.StartsWith("--from=", StringComparison.Ordinal))?["--from=".Length..];
            Assert.True(from is null || stages.Contains(from) || DeployFiles.IsPinned(from), $"{name}: COPY --from={from} is neither a stage nor a pinned image");
        }
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Every_file_copied_from_the_build_context_exists(string name)
    {
        var sources = Dockerfile.Load(DeployFiles.PathOf(name)).ContextSources.ToList();
        Assert.NotEmpty(sources);
        foreach (var source in sources)
        {
            var path = Path.Combine(DeployFiles.RepositoryRoot, source);
            Assert.True(File.Exists(path) || Directory.Exists(path), $"{name}: COPY source {source} is missing from the repository");
        }
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void The_sdk_image_matches_global_json(string name)
    {
        using var globalJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(DeployFiles.RepositoryRoot, "global.json")));
        var sdk = globalJson.RootElement.GetProperty("sdk").GetProperty("version").GetString()!;
        var sdkImage = Assert.Single(Dockerfile.Load(DeployFiles.PathOf(name)).Stages, s => s.Image.StartsWith("mcr.microsoft.com/dotnet/sdk:", StringComparison.Ordinal));
        Assert.StartsWith(sdk + "-", DeployFiles.Tag(sdkImage.Image), StringComparison.Ordinal);
    }

    [Fact]
    public void The_gpu_image_publishes_the_gpu_build_on_cuda_13_with_cudnn()
    {
        var dockerfile = Dockerfile.Load(DeployFiles.PathOf("Dockerfile.silo-gpu"));
        var final = dockerfile.Stages.Last().Image;
        Assert.StartsWith("nvidia/cuda:13.", final, StringComparison.Ordinal);
        Assert.Contains("-cudnn-runtime-", final, StringComparison.Ordinal);
        var publish = Assert.Single(dockerfile.Instructions, i => i.Keyword == "RUN" && i.Arguments.Contains("publish"));
        Assert.Contains("-p:InferenceGpu=true", publish.Arguments);
        var restore = Assert.Single(dockerfile.Instructions, i => i.Keyword == "RUN" && i.Arguments.Contains("restore"));
        Assert.Contains("-p:InferenceGpu=true", restore.Arguments);
        Assert.Contains(dockerfile.Instructions, i => i.Keyword == "ENV" && i.Arguments.Contains("Orleans__Metadata__gpu=true"));
    }

    [Fact]
    public void The_cpu_image_publishes_the_cpu_build()
    {
        var dockerfile = Dockerfile.Load(DeployFiles.PathOf("Dockerfile.silo-cpu"));
        Assert.DoesNotContain(dockerfile.Instructions, i => i.Arguments.Any(a => a.Contains("InferenceGpu", StringComparison.Ordinal)));
        Assert.Contains(dockerfile.Instructions, i => i.Keyword == "ENV" && i.Arguments.Contains("Orleans__Metadata__gpu=false"));
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void The_entry_point_runs_the_silo_assembly_that_the_project_builds(string name)
    {
        var entry = Assert.Single(Dockerfile.Load(DeployFiles.PathOf(name)).Instructions, i => i.Keyword == "ENTRYPOINT");
        var arguments = JsonSerializer.Deserialize<string[]>(string.Join(' ', entry.Arguments))!;
        Assert.Equal(["dotnet", "Emotion.Orleans.Silo.dll"], arguments);
        Assert.True(File.Exists(Path.Combine(DeployFiles.RepositoryRoot, "Silo", "Emotion.Orleans.Silo.csproj")));
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void The_image_copies_every_project_the_silo_builds_from_and_restores_before_the_sources(string name)
    {
        var instructions = Dockerfile.Load(DeployFiles.PathOf(name)).Instructions;
        var restore = instructions.ToList().FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("restore"));
        Assert.True(restore > 0, $"{name} has no restore step");
        var copiedBeforeRestore = instructions.Take(restore).Where(i => i.Keyword == "COPY").SelectMany(i => i.Arguments[..^1]).ToHashSet(StringComparer.Ordinal);
        var copiedAfter = instructions.Skip(restore).Where(i => i.Keyword == "COPY" && !i.Arguments.Any(a => a.StartsWith("--from=", StringComparison.Ordinal)))
            .SelectMany(i => i.Arguments[..^1]).ToHashSet(StringComparer.Ordinal);
        foreach (var project in ProjectClosure("Silo/Emotion.Orleans.Silo.csproj"))
        {
            Assert.Contains(project, copiedBeforeRestore);
            Assert.Contains(Path.GetDirectoryName(project)!.Replace('\\', '/') + "/", copiedAfter);
        }

        Assert.All(BuildSettings, f => Assert.Contains(f, copiedBeforeRestore));
    }

    // The project and every project it references, transitively, as repository-relative paths.
    private static SortedSet<string> ProjectClosure(string project)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            if (!found.Add(current))
            {
                continue;
            }

            var document = System.Xml.Linq.XDocument.Load(Path.Combine(DeployFiles.RepositoryRoot, current));
            foreach (var reference in document.Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value.Replace('\\', '/');
                var full = Path.GetFullPath(Path.Combine(DeployFiles.RepositoryRoot, Path.GetDirectoryName(current)!, include));
                pending.Push(Path.GetRelativePath(DeployFiles.RepositoryRoot, full).Replace('\\', '/'));
            }
        }

        return found;
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void The_image_exposes_the_api_and_the_management_port_it_configures(string name)
    {
        var dockerfile = Dockerfile.Load(DeployFiles.PathOf(name));
        var environment = dockerfile.Instructions.Where(i => i.Keyword == "ENV").SelectMany(i => i.Arguments)
            .Select(a => a.Split('=', 2)).Where(a => a.Length == 2).ToDictionary(a => a[0], a => a[1], StringComparer.Ordinal);
        var exposed = dockerfile.Instructions.Where(i => i.Keyword == "EXPOSE").SelectMany(i => i.Arguments).ToList();
        Assert.Contains(environment["ASPNETCORE_HTTP_PORTS"], exposed);
        Assert.Contains(environment["Silo__ManagementPort"], exposed);
        Assert.NotEqual(environment["ASPNETCORE_HTTP_PORTS"], environment["Silo__ManagementPort"]);
    }
}
