using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.TestingHost;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>One in-process silo plus client, shared by the tests of <see cref="ClusterDefinition"/>.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>The calls' wall clock (call start and end times); the silo's own timers keep the system clock.</summary>
    public static FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));

    public static IConfiguration Configuration { get; } = new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Fusion:CadenceInterval"] = "00:00:01",
            ["Fusion:EvidenceMaxAge"] = "00:00:10",
            ["Workers:MaxBatchSize"] = "8",
            ["Workers:BatchWindow"] = "00:00:00.020",
        })
        .Build();

    public TestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>A service of the (only) silo.</summary>
    public T SiloService<T>()
        where T : notnull =>
        ((InProcessSiloHandle)Cluster.Primary!).SiloHost!.Services.GetRequiredService<T>();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddMemoryGrainStorage(CallStreams.Storage);
            siloBuilder.UseSiloMetadata(new Dictionary<string, string> { [GpuSilo.MetadataKey] = GpuSilo.MetadataValue });
            siloBuilder.AddEmotionCalls(Configuration);
            siloBuilder.Services.AddKeyedSingleton<TimeProvider>(CallSessionOptions.ClockKey, Clock);

            // The one line that picks the models: deterministic stand-ins here; the model bundle
            // (services.AddEmotionInference(Configuration)) runs the same tests on the real models.
            siloBuilder.Services.AddDeterministicInference();
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.AddMemoryStreams(CallStreams.Provider);
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterDefinition : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
