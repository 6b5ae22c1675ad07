namespace Emotion.Orleans.Grains;

/// <summary>Metrics and traces of a silo (configuration section <c>Telemetry</c>).</summary>
public sealed class EmotionTelemetryOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Telemetry";

    /// <summary>Path of the Prometheus scraping endpoint.</summary>
    public string MetricsPath { get; set; } = "/metrics";

    /// <summary>
    /// OTLP endpoint that traces are exported to (e.g. <c>http://otel-collector:4317</c>); traces are
    /// off while it is unset.
    /// </summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>Share of new traces kept (0–1); a span whose parent was sampled is always kept.</summary>
    public double TraceSampleRatio { get; set; } = 1.0;

    /// <summary>
    /// Whether this silo reports itself as a GPU silo (metric <c>emotion_silo_info{gpu="true"}</c>);
    /// set from the silo metadata <c>Orleans:Metadata:gpu</c> unless configured here.
    /// </summary>
    public bool GpuSilo { get; set; }
}
