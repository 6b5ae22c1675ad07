using Emotion.Orleans.Grains;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Emotion.Orleans.Silo;

/// <summary>Registers the silo's metrics (Prometheus scraping endpoint) and traces (OTLP, when configured).</summary>
public static class EmotionTelemetryExtensions
{
    /// <summary>Orleans' meter.</summary>
    public const string OrleansMeterName = "Microsoft.Orleans";

    /// <summary>The .NET runtime's built-in meter (GC, thread pool, CPU, memory).</summary>
    public const string RuntimeMeterName = "System.Runtime";

    /// <summary>Orleans' grain call latency histogram (ms); it has no default buckets, so a view sets them.</summary>
    public const string OrleansRequestLatencyInstrument = "orleans-app-requests-latency";

    /// <summary>Orleans' trace sources, used when <c>AddActivityPropagation()</c> is on for the silo and client.</summary>
    public static IReadOnlyList<string> OrleansActivitySourceNames { get; } = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    private static readonly string[] MeterNames =
    [
        EmotionMetrics.MeterName,
        OrleansMeterName,
        RuntimeMeterName,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
    ];

    /// <summary>
    /// OpenTelemetry on a silo from the <c>Telemetry</c> section: the product's, Orleans', the runtime's
    /// and ASP.NET Core's meters through the Prometheus exporter (map it with <see cref="MapEmotionMetrics"/>),
    /// explicit millisecond buckets for the latency histograms, and traces of the product's and Orleans'
    /// sources exported over OTLP only when <see cref="EmotionTelemetryOptions.OtlpEndpoint"/> is set.
    /// </summary>
    public static IServiceCollection AddEmotionTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(EmotionTelemetryOptions.Section);
        var gpuSilo = string.Equals(configuration[$"Orleans:Metadata:{GpuSilo.MetadataKey}"], GpuSilo.MetadataValue, StringComparison.OrdinalIgnoreCase);
        services.AddEmotionMetrics();
        services.AddOptions<EmotionTelemetryOptions>()
            .Configure(o => o.GpuSilo = gpuSilo)
            .Bind(section)
            .Validate(o => o.MetricsPath.StartsWith('/'), "Telemetry:MetricsPath must start with '/'.")
            .Validate(o => o.TraceSampleRatio is >= 0 and <= 1, "Telemetry:TraceSampleRatio must be in 0–1.")
            .Validate(o => o.OtlpEndpoint is null || o.OtlpEndpoint.IsAbsoluteUri, "Telemetry:OtlpEndpoint must be an absolute URI.")
            .ValidateOnStart();

        var options = section.Get<EmotionTelemetryOptions>() ?? new EmotionTelemetryOptions();
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("emotion-orleans", serviceInstanceId: Environment.MachineName))
            .WithMetrics(metrics => metrics
                .AddMeter(MeterNames)
                .AddView(SelectHistogramBuckets)
                // No response cache: every scrape collects, so it sees the values of that moment.
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        if (options.OtlpEndpoint is { } endpoint)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(EmotionMetrics.MeterName)
                .AddSource([.. OrleansActivitySourceNames])
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.TraceSampleRatio)))
                .AddOtlpExporter(o => o.Endpoint = endpoint));
        }

        return services;
    }

    /// <summary><see cref="AddEmotionTelemetry(IServiceCollection, IConfiguration)"/> with the host's configuration.</summary>
    public static IHostApplicationBuilder AddEmotionTelemetry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddEmotionTelemetry(builder.Configuration);
        return builder;
    }

    /// <summary>Maps the Prometheus scraping endpoint at <see cref="EmotionTelemetryOptions.MetricsPath"/>.</summary>
    public static IEndpointConventionBuilder MapEmotionMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<EmotionTelemetryOptions>>().Value;
        return endpoints.MapPrometheusScrapingEndpoint(options.MetricsPath);
    }

    // Explicit buckets: the product's and Orleans' millisecond histograms get 1 ms … 5 s, batch sizes powers of two.
    private static MetricStreamConfiguration? SelectHistogramBuckets(System.Diagnostics.Metrics.Instrument instrument)
    {
        if (instrument is not (System.Diagnostics.Metrics.Histogram<double> or System.Diagnostics.Metrics.Histogram<int> or System.Diagnostics.Metrics.Histogram<long>))
        {
            return null;
        }

        return instrument.Meter.Name switch
        {
            EmotionMetrics.MeterName when instrument.Name == EmotionMetrics.Instruments.BatchSize =>
                new ExplicitBucketHistogramConfiguration { Boundaries = [.. EmotionMetrics.BatchSizeBuckets] },
            EmotionMetrics.MeterName or OrleansMeterName when instrument.Unit == "ms" || instrument.Name == OrleansRequestLatencyInstrument =>
                new ExplicitBucketHistogramConfiguration { Boundaries = [.. EmotionMetrics.LatencyBucketsMs] },
            _ => null,
        };
    }
}

