using YamlDotNet.RepresentationModel;

namespace Emotion.Orleans.Deploy.Tests;

public sealed class ComposeTests
{
    private static readonly YamlMappingNode Compose = DeployFiles.LoadSingleYaml(DeployFiles.PathOf("docker-compose.yml"));

    private static IEnumerable<KeyValuePair<string, YamlNode>> Services => Compose.Child("services").Entries();

    private static YamlNode Service(string name) => Compose.Child("services").Child(name) ?? throw new KeyNotFoundException(name);

    [Fact]
    public void Compose_runs_redis_a_cpu_silo_a_gpu_silo_prometheus_and_grafana()
    {
        Assert.Equal(["grafana", "prometheus", "redis", "silo-cpu", "silo-gpu"], Services.Select(s => s.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_pulled_image_is_pinned_to_an_exact_version()
    {
        foreach (var (name, service) in Services)
        {
            var image = service.Scalar("image");
            Assert.False(image is null, $"{name} has no image");
            if (service.Child("build") is null)
            {
                Assert.True(DeployFiles.IsPinned(image), $"{name}: image '{image}' is not pinned to an exact version or digest");
            }
            else
            {
                // A locally built image still needs an explicit tag other than latest.
                Assert.True(DeployFiles.Tag(image) is { } tag && tag != "latest", $"{name}: built image '{image}' has no fixed tag");
            }
        }
    }

    [Fact]
    public void Every_dockerfile_in_deploy_is_built_by_compose_and_its_context_exists()
    {
        var built = new List<string>();
        foreach (var (name, service) in Services.Where(s => s.Value.Child("build") is not null))
        {
            var context = Path.GetFullPath(Path.Combine(DeployFiles.DeployDirectory, service.Child("build").Scalar("context")!));
            Assert.True(Directory.Exists(context), $"{name}: build context {context} is missing");
            var dockerfile = Path.GetFullPath(Path.Combine(context, service.Child("build").Scalar("dockerfile")!));
            Assert.True(File.Exists(dockerfile), $"{name}: {dockerfile} is missing");
            built.Add(dockerfile);
        }

        var all = Directory.GetFiles(DeployFiles.DeployDirectory, "Dockerfile*").Where(f => !f.EndsWith(".dockerignore", StringComparison.Ordinal)).Select(Path.GetFullPath);
        Assert.Equal(all.Order(StringComparer.Ordinal), built.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_mounted_host_path_exists()
    {
        foreach (var (name, service) in Services)
        {
            foreach (var (host, _) in Mounts(service))
            {
                Assert.True(File.Exists(host) || Directory.Exists(host), $"{name}: mounted {host} is missing");
            }
        }
    }

    [Fact]
    public void Container_paths_in_commands_and_environment_point_at_mounted_files_that_exist()
    {
        var checkedPaths = 0;
        foreach (var (name, service) in Services)
        {
            var mounts = Mounts(service).ToList();
            var values = service.Child("command").Items().OfType<YamlScalarNode>().Select(n => n.Value!)
                .Concat(service.Child("environment").Entries().Select(e => (e.Value as YamlScalarNode)?.Value ?? ""));
            foreach (var value in values)
            {
                var path = value[(value.IndexOf('=', StringComparison.Ordinal) + 1)..];
                if (MapToHost(mounts, path) is { } host)
                {
                    Assert.True(File.Exists(host), $"{name}: {path} maps to {host}, which is missing");
                    checkedPaths++;
                }
            }
        }

        // Prometheus' --config.file and Grafana's home dashboard.
        Assert.Equal(2, checkedPaths);
    }

    [Fact]
    public void Grafana_provisioning_points_at_mounted_dashboards_and_the_compose_prometheus()
    {
        var grafana = Service("grafana");
        var mounts = Mounts(grafana).ToList();
        var provisioning = MapToHost(mounts, "/etc/grafana/provisioning");
        Assert.NotNull(provisioning);

        var providers = Directory.GetFiles(Path.Combine(provisioning, "dashboards"), "*.yaml")
            .SelectMany(f => DeployFiles.LoadSingleYaml(f).Child("providers").Items()).ToList();
        Assert.NotEmpty(providers);
        foreach (var provider in providers)
        {
            var folder = MapToHost(mounts, provider.Child("options").Scalar("path")!);
            Assert.True(folder is not null && Directory.GetFiles(folder, "*.json").Length > 0, $"provider path {provider.Child("options").Scalar("path")} holds no dashboard");
        }

        var datasource = Assert.Single(Directory.GetFiles(Path.Combine(provisioning, "datasources"), "*.yaml")
            .SelectMany(f => DeployFiles.LoadSingleYaml(f).Child("datasources").Items()));
        var url = new Uri(datasource.Scalar("url")!);
        Assert.Contains(url.Host, Services.Select(s => s.Key));
        Assert.Contains($"{url.Port}:{url.Port}", Service(url.Host).Child("ports").Items().OfType<YamlScalarNode>().Select(p => p.Value));
    }

    [Fact]
    public void Prometheus_scrapes_the_management_port_of_every_silo_service_which_the_host_does_not_see()
    {
        var config = DeployFiles.LoadSingleYaml(DeployFiles.PathOf("prometheus", "prometheus.yml"));
        var targets = config.Child("scrape_configs").Items()
            .SelectMany(job => job.Child("static_configs").Items())
            .SelectMany(c => c.Child("targets").Items().OfType<YamlScalarNode>().Select(t => t.Value!))
            .Order(StringComparer.Ordinal)
            .ToList();
        var silos = Services.Where(s => s.Key.StartsWith("silo-", StringComparison.Ordinal)).ToList();
        Assert.Equal(silos.Select(s => $"{s.Key}:{s.Value.Child("environment").Scalar("Silo__ManagementPort")}").Order(StringComparer.Ordinal), targets);
        foreach (var (name, silo) in silos)
        {
            var ports = silo.Child("ports").Items().OfType<YamlScalarNode>().Select(p => p.Value!).ToList();
            var management = silo.Child("environment").Scalar("Silo__ManagementPort")!;
            Assert.Contains(ports, p => p.EndsWith(":8080", StringComparison.Ordinal));
            Assert.DoesNotContain(ports, p => p.EndsWith(":" + management, StringComparison.Ordinal));
            Assert.NotEqual("8080", management);
            Assert.Equal("/metrics", silo.Child("environment").Scalar("Telemetry__MetricsPath"));
            Assert.Equal("Cluster", silo.Child("environment").Scalar("Silo__Mode"));
            var redis = silo.Child("environment").Scalar("Silo__RedisConnectionString")!;
            Assert.True(Services.Any(s => s.Key == redis.Split(':')[0]), $"{name}: Redis host of '{redis}' is not a compose service");
        }
    }

    [Fact]
    public void Every_silo_gets_an_api_key_hash_and_compose_refuses_to_start_without_one()
    {
        foreach (var (name, silo) in Services.Where(s => s.Key.StartsWith("silo-", StringComparison.Ordinal)))
        {
            var environment = silo.Child("environment");
            Assert.False(string.IsNullOrEmpty(environment.Scalar("Auth__ApiKeys__0__Tenant")), name);
            Assert.StartsWith("${EMOTION_API_KEY_SHA256:?", environment.Scalar("Auth__ApiKeys__0__KeySha256"), StringComparison.Ordinal);
            Assert.Null(environment.Scalar("Auth__ApiKeys__0__Key"));
        }
    }

    [Fact]
    public void The_gpu_silo_reserves_a_gpu_and_is_marked_as_a_gpu_silo()
    {
        var gpu = Service("silo-gpu");
        var device = Assert.Single(gpu.Child("deploy").Child("resources").Child("reservations").Child("devices").Items());
        Assert.Equal("nvidia", device.Scalar("driver"));
        Assert.Contains("gpu", device.Child("capabilities").Items().OfType<YamlScalarNode>().Select(c => c.Value));
        Assert.Equal("true", gpu.Child("environment").Scalar("Orleans__Metadata__gpu"));
        Assert.Equal("false", Service("silo-cpu").Child("environment").Scalar("Orleans__Metadata__gpu"));
        Assert.Null(Service("silo-cpu").Child("deploy"));
    }

    private static IEnumerable<(string Host, string Container)> Mounts(YamlNode service) =>
        service.Child("volumes").Items().OfType<YamlScalarNode>()
            .Select(v => v.Value!.Split(':'))
            .Where(p => p[0].StartsWith('.'))
            .Select(p => (Path.GetFullPath(Path.Combine(DeployFiles.DeployDirectory, p[0])), p[1]));

    private static string? MapToHost(IEnumerable<(string Host, string Container)> mounts, string containerPath)
    {
        foreach (var (host, container) in mounts)
        {
            if (containerPath == container)
            {
                return host;
            }

            if (containerPath.StartsWith(container + "/", StringComparison.Ordinal))
            {
                return Path.Combine(host, containerPath[(container.Length + 1)..]);
            }
        }

        return null;
    }
}
