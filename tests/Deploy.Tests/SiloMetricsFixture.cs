using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Emotion.Orleans.Grains;
using Emotion.Orleans.Inference;
using Emotion.Orleans.Silo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Emotion.Orleans.Deploy.Tests;

/// <summary>The tests that share the one in-process silo (and so the one product meter) run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class SiloMetricsDefinition : ICollectionFixture<SiloMetricsFixture>
{
    /// <summary>Collection name.</summary>
    public const string Name = "silo metrics";
}

/// <summary>
/// A real silo (localhost clustering) with the product's models (default bundle), telemetry and the
/// Prometheus endpoint on a free port, as a GPU silo. It makes one grain call so Orleans records its
/// request latency.
/// </summary>
public sealed class SiloMetricsFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public WebApplication App => _app ?? throw new InvalidOperationException("Not started.");

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public EmotionMetrics Metrics => App.Services.GetRequiredService<EmotionMetrics>();

    /// <summary>The meter factory of the silo's meters (their <c>Meter.Scope</c>).</summary>
    public IMeterFactory MeterFactory => App.Services.GetRequiredService<IMeterFactory>();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Orleans:Metadata:{GpuSilo.MetadataKey}"] = GpuSilo.MetadataValue,
            ["Inference:OnnxRuntime:IntraOpThreads"] = "1",
        });
        var siloPort = FreePort();
        var gatewayPort = FreePort();
        builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: "metrics-test", clusterId: $"metrics-test-{Guid.NewGuid():N}"));
        builder.Services.AddEmotionInference(builder.Configuration);
        builder.AddEmotionTelemetry();
        _app = builder.Build();
        _app.MapEmotionMetrics();
        using var start = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await _app.StartAsync(start.Token);
        Http.BaseAddress = new Uri(_app.Urls.First());
        await _app.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await _app.StopAsync(stop.Token);
            await _app.DisposeAsync();
        }
    }

    /// <summary>Series name → sample lines of one scrape.</summary>
    public async Task<ILookup<string, string>> ScrapeAsync()
    {
        var text = await Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        return text.Split('\n')
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToLookup(l => l[..l.IndexOfAny(['{', ' '])], StringComparer.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
