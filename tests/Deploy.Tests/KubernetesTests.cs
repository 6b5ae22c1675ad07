using YamlDotNet.RepresentationModel;

namespace Emotion.Orleans.Deploy.Tests;

public sealed class KubernetesTests
{
    private static readonly string K8s = DeployFiles.PathOf("k8s");

    private static readonly string[] HostingVerbs = ["get", "list", "watch", "delete", "patch"];

    private static readonly IReadOnlyList<YamlMappingNode> Resources =
        [.. DeployFiles.LoadSingleYaml(Path.Combine(K8s, "kustomization.yaml")).Child("resources").Items()
            .OfType<YamlScalarNode>()
            .SelectMany(r => DeployFiles.LoadYaml(Path.Combine(K8s, r.Value!)))];

    private static YamlMappingNode Deployment(string name) =>
        Assert.Single(Resources, r => r.Scalar("kind") == "Deployment" && r.Child("metadata").Scalar("name") == name);

    private static YamlNode PodSpec(string deployment) => Deployment(deployment).Child("spec").Child("template").Child("spec")!;

    private static YamlNode Container(string deployment) => Assert.Single(PodSpec(deployment).Child("containers").Items());

    private static string? Env(YamlNode container, string name) =>
        container.Child("env").Items().SingleOrDefault(e => e.Scalar("name") == name) is { } e ? e.Scalar("value") ?? e.Child("valueFrom").Child("fieldRef").Scalar("fieldPath") : null;

    [Fact]
    public void Every_file_the_kustomization_names_exists_and_every_manifest_is_listed()
    {
        var listed = DeployFiles.LoadSingleYaml(Path.Combine(K8s, "kustomization.yaml")).Child("resources").Items().OfType<YamlScalarNode>().Select(r => r.Value!).ToList();
        foreach (var file in listed)
        {
            Assert.True(File.Exists(Path.Combine(K8s, file)), $"kustomization names {file}, which is missing");
        }

        var present = Directory.GetFiles(K8s, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml");
        Assert.Equal(present.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_container_image_is_pinned_to_an_exact_version()
    {
        var containers = Resources.Where(r => r.Scalar("kind") == "Deployment")
            .SelectMany(d => d.Child("spec").Child("template").Child("spec").Child("containers").Items()).ToList();
        Assert.Equal(3, containers.Count);
        foreach (var container in containers)
        {
            Assert.True(DeployFiles.IsPinned(container.Scalar("image")!), $"image {container.Scalar("image")} is not pinned");
        }
    }

    [Theory]
    [InlineData("silo-cpu")]
    [InlineData("silo-gpu")]
    public void Silo_liveness_waits_for_a_startup_probe_that_allows_minutes_for_the_models_to_load(string deployment)
    {
        var container = Container(deployment);
        var startup = container.Child("startupProbe");
        Assert.Equal("http", startup.Child("tcpSocket").Scalar("port"));
        var allowed = int.Parse(startup.Scalar("periodSeconds")!, System.Globalization.CultureInfo.InvariantCulture)
            * int.Parse(startup.Scalar("failureThreshold")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(allowed, 120, 600);
        Assert.Equal("http", container.Child("livenessProbe").Child("tcpSocket").Scalar("port"));
    }

    [Theory]
    [InlineData("silo-cpu")]
    [InlineData("silo-gpu")]
    public void Silo_pods_carry_what_orleans_kubernetes_hosting_reads(string deployment)
    {
        var labels = Deployment(deployment).Child("spec").Child("template").Child("metadata").Child("labels");
        Assert.False(string.IsNullOrEmpty(labels.Scalar("orleans/serviceId")));
        Assert.False(string.IsNullOrEmpty(labels.Scalar("orleans/clusterId")));
        var container = Container(deployment);
        Assert.Equal("metadata.labels['orleans/serviceId']", Env(container, "ORLEANS_SERVICE_ID"));
        Assert.Equal("metadata.labels['orleans/clusterId']", Env(container, "ORLEANS_CLUSTER_ID"));
        Assert.Equal("metadata.name", Env(container, "POD_NAME"));
        Assert.Equal("metadata.namespace", Env(container, "POD_NAMESPACE"));
        Assert.Equal("status.podIP", Env(container, "POD_IP"));

        // The silo's own ids agree with the labels, and it clusters through the Redis service.
        Assert.Equal(labels.Scalar("orleans/serviceId"), Env(container, "Silo__ServiceId"));
        Assert.Equal(labels.Scalar("orleans/clusterId"), Env(container, "Silo__ClusterId"));
        Assert.Equal("Cluster", Env(container, "Silo__Mode"));
        var redisHost = Env(container, "Silo__RedisConnectionString")!.Split(':')[0];
        Assert.Contains(Resources, r => r.Scalar("kind") == "Service" && r.Child("metadata").Scalar("name") == redisHost);

        // The service account may watch and delete pods, as the hosting package needs.
        var account = PodSpec(deployment).Scalar("serviceAccountName");
        Assert.Contains(Resources, r => r.Scalar("kind") == "ServiceAccount" && r.Child("metadata").Scalar("name") == account);
        var binding = Assert.Single(Resources, r => r.Scalar("kind") == "RoleBinding" && r.Child("subjects").Items().Any(s => s.Scalar("name") == account));
        var role = Assert.Single(Resources, r => r.Scalar("kind") == "Role" && r.Child("metadata").Scalar("name") == binding.Child("roleRef").Scalar("name"));
        var rule = Assert.Single(role.Child("rules").Items(), r => r.Child("resources").Items().OfType<YamlScalarNode>().Any(x => x.Value == "pods"));
        var verbs = rule.Child("verbs").Items().OfType<YamlScalarNode>().Select(v => v.Value).ToList();
        Assert.All(HostingVerbs, v => Assert.Contains(v, verbs));
    }

    [Fact]
    public void Gpu_silos_are_scheduled_on_gpu_nodes_and_marked_as_gpu_silos()
    {
        var spec = PodSpec("silo-gpu");
        Assert.Equal("true", spec.Child("nodeSelector").Scalar("nvidia.com/gpu.present"));
        Assert.Contains(spec.Child("tolerations").Items(), t => t.Scalar("key") == "nvidia.com/gpu");
        var container = Container("silo-gpu");
        Assert.Equal("1", container.Child("resources").Child("limits").Scalar("nvidia.com/gpu"));
        Assert.Equal("true", Env(container, "Orleans__Metadata__gpu"));
        Assert.Contains("silo-gpu", container.Scalar("image"), StringComparison.Ordinal);

        var cpu = Container("silo-cpu");
        Assert.Equal("false", Env(cpu, "Orleans__Metadata__gpu"));
        Assert.Null(cpu.Child("resources").Child("limits").Scalar("nvidia.com/gpu"));
        Assert.Null(PodSpec("silo-cpu").Child("nodeSelector"));
    }

    [Fact]
    public void Services_select_pods_that_exist_and_target_named_container_ports()
    {
        foreach (var service in Resources.Where(r => r.Scalar("kind") == "Service"))
        {
            var selector = service.Child("spec").Child("selector").Entries().ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value);
            var matching = Resources.Where(r => r.Scalar("kind") == "Deployment").Where(d =>
            {
                var labels = d.Child("spec").Child("template").Child("metadata").Child("labels").Entries().ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value);
                return selector.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value);
            }).ToList();
            Assert.NotEmpty(matching);
            foreach (var port in service.Child("spec").Child("ports").Items())
            {
                var target = port.Scalar("targetPort");
                Assert.All(matching, d => Assert.Contains(
                    d.Child("spec").Child("template").Child("spec").Child("containers").Items().SelectMany(c => c.Child("ports").Items()),
                    p => p.Scalar("name") == target));
            }
        }
    }

    [Fact]
    public void Silo_pods_are_annotated_for_scraping_on_their_management_port_which_no_service_exposes()
    {
        var servicePorts = Resources.Where(r => r.Scalar("kind") == "Service")
            .SelectMany(s => s.Child("spec").Child("ports").Items()).Select(p => p.Scalar("targetPort")).ToList();
        foreach (var deployment in new[] { "silo-cpu", "silo-gpu" })
        {
            var annotations = Deployment(deployment).Child("spec").Child("template").Child("metadata").Child("annotations");
            Assert.Equal("true", annotations.Scalar("prometheus.io/scrape"));
            Assert.Equal("/metrics", annotations.Scalar("prometheus.io/path"));
            var port = annotations.Scalar("prometheus.io/port");
            Assert.Contains(Container(deployment).Child("ports").Items(), p => p.Scalar("name") == "management" && p.Scalar("containerPort") == port);
            Assert.Equal(port, Env(Container(deployment), "Silo__ManagementPort"));
            Assert.DoesNotContain("management", servicePorts);
        }
    }

    [Theory]
    [InlineData("silo-cpu")]
    [InlineData("silo-gpu")]
    public void Silo_pods_take_their_api_key_hash_and_tenant_from_a_secret(string deployment)
    {
        var env = Container(deployment).Child("env").Items().ToList();
        foreach (var (name, key) in new[] { ("Auth__ApiKeys__0__Tenant", "tenant"), ("Auth__ApiKeys__0__KeySha256", "keySha256") })
        {
            var secret = Assert.Single(env, e => e.Scalar("name") == name).Child("valueFrom").Child("secretKeyRef");
            Assert.Equal("emotion-api-keys", secret.Scalar("name"));
            Assert.Equal(key, secret.Scalar("key"));
        }
    }
}
