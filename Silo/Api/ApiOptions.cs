namespace Emotion.Orleans.Silo;

/// <summary>Limits of the HTTP API (configuration section <c>Api</c>; validated on start).</summary>
public sealed class ApiOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Api";

    /// <summary>Largest body of <c>POST /calls/{id}/text</c> (JSON), in bytes (default 64 KiB).</summary>
    public long MaxTextBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Largest body of <c>POST /calls/{id}/audio</c> (raw PCM16 or base64 JSON), in bytes (default 4 MiB:
    /// 30 s at 48 kHz is 2.9 MB raw, 3.9 MB as base64).
    /// </summary>
    public long MaxAudioBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest body of <c>POST /calls/{id}/frames</c> (JPEG or PNG), in bytes (default 8 MiB).</summary>
    public long MaxFrameBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// Results an SSE follower may fall behind by (default 256): past that the oldest waiting results
    /// are dropped and the follower is told how many in a <c>dropped</c> event.
    /// </summary>
    public int EventsBufferSize { get; set; } = 256;

    /// <summary>
    /// After the call ends, how long SSE waits for results still on their way before the final
    /// <c>end</c> event (default 2 s; results and the end signal travel on different streams).
    /// </summary>
    public TimeSpan EventsEndGrace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Requests per tenant: a token bucket (defaults for every tenant).</summary>
    public TenantRateLimit RateLimit { get; set; } = new();

    /// <summary>Per-tenant replacements of <see cref="RateLimit"/> (key: tenant id).</summary>
    public Dictionary<string, TenantRateLimit> TenantRateLimits { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The limit of one tenant.</summary>
    public TenantRateLimit RateLimitOf(string tenant) => TenantRateLimits.TryGetValue(tenant, out var limit) ? limit : RateLimit;
}

/// <summary>A tenant's token bucket: <see cref="TokenLimit"/> requests at once, refilled by <see cref="TokensPerPeriod"/> every <see cref="ReplenishmentPeriod"/>.</summary>
public sealed class TenantRateLimit
{
    /// <summary>Bucket size: the burst a tenant may send at once (default 200).</summary>
    public int TokenLimit { get; set; } = 200;

    /// <summary>Tokens added per period (default 100).</summary>
    public int TokensPerPeriod { get; set; } = 100;

    /// <summary>Refill period (default 1 s: 100 requests a second sustained).</summary>
    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether the values are usable.</summary>
    public bool IsValid => TokenLimit > 0 && TokensPerPeriod > 0 && ReplenishmentPeriod > TimeSpan.Zero;
}
