using Emotion.Orleans.Client;
using Emotion.Orleans.Inference;
using Emotion.Orleans.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.TestingHost;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>
/// One in-process silo plus client on the real models of the default bundle, shared by the tests
/// of <see cref="ClusterDefinition"/>. The models load once: every other host these tests start (the
/// HTTP API, the replay's embedded silo, cluster-mode silos) registers the product's inference the
/// same way and is handed these loaded models (<see cref="ShareModels"/>).
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private static ServiceProvider? _inference;
    private SiloApiFactory? _api;

    /// <summary>The calls' wall clock (call start and end times); the silo's own timers keep the system clock.</summary>
    public static FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));

    public static IConfiguration Configuration { get; } = new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Fusion:CadenceInterval"] = "00:00:01",
            ["Fusion:EvidenceMaxAge"] = "00:00:10",
            ["Workers:MaxBatchSize"] = "8",
            ["Workers:SpeechBatchWindow"] = "00:00:00.020",
            ["Workers:TextBatchWindow"] = "00:00:00.020",
            ["Calls:TimelinePageSize"] = "4",
            ["Calls:IdleTimeout"] = "00:30:00",
            ["Calls:EndedCallRetention"] = "1.00:00:00",
        })
        .Build();

    /// <summary>The models of the default bundle, loaded by the product's composition root (valid while the fixture lives).</summary>
    public static InferenceModels Models => _inference?.GetRequiredService<InferenceModels>() ?? throw new InvalidOperationException("The cluster fixture has not started.");

    public TestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    /// <summary>The silo host with its HTTP API, started on first use.</summary>
    public SiloApiFactory Api => _api ??= new SiloApiFactory();

    /// <summary>
    /// Hands a host whose code registered the product's inference the models loaded here, as
    /// instances: a host does not dispose instances when it stops, whereas it would dispose what
    /// the factory registrations of <c>AddEmotionInference</c> return.
    /// </summary>
    public static IServiceCollection ShareModels(IServiceCollection services)
    {
        var models = Models;
        return services
            .AddSingleton(models)
            .AddSingleton<ITextEmbedder>(models.TextEncoder)
            .AddSingleton<ITextRecognizer>(models.TextRecognizer)
            .AddSingleton<ISpeechRecognizer>(models.SpeechRecognizer)
            .AddSingleton<IFaceRecognizer>(models.FaceRecognizer)
            .AddSingleton(models.Segmenters)
            .AddSingleton(models.Fusion);
    }

    public async Task InitializeAsync()
    {
        _inference = new ServiceCollection().AddLogging().AddEmotionInference(Configuration).BuildServiceProvider();
        _ = Models;
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await Cluster.DisposeAsync();
        if (_inference is not null)
        {
            await _inference.DisposeAsync();
            _inference = null;
        }
    }

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
            // The product's hosts choose the call streams' provider; the test silo and client choose the same.
            siloBuilder.AddEmotionCallStreams();
            siloBuilder.AddEmotionCalls(Configuration);
            siloBuilder.Services.AddKeyedSingleton<TimeProvider>(CallSessionOptions.ClockKey, Clock);
            siloBuilder.Services.AddEmotionInference(Configuration);
            ShareModels(siloBuilder.Services);

            // The real text model, with the batch sizes the workers run noted for the batching tests.
            siloBuilder.Services.AddSingleton(sp => new BatchCountingTextRecognizer(Models.TextRecognizer));
            siloBuilder.Services.AddSingleton<ITextRecognizer>(sp => sp.GetRequiredService<BatchCountingTextRecognizer>());

            // The real face model, behind a gate tests can close to hold a frame in recognition.
            siloBuilder.Services.AddSingleton(sp => new GatedFaceRecognizer(Models.FaceRecognizer));
            siloBuilder.Services.AddSingleton<IFaceRecognizer>(sp => sp.GetRequiredService<GatedFaceRecognizer>());
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.AddEmotionCallStreams();
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterDefinition : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
