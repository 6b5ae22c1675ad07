namespace Emotion.Orleans.Silo;

/// <summary>How the silo joins a cluster (configuration section <c>Silo</c>; environment <c>Silo__Mode=Cluster</c> …).</summary>
public sealed class SiloHostOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Silo";

    /// <summary>Embedded (one local silo, memory storage) or Cluster (Redis clustering and storage).</summary>
    public SiloMode Mode { get; set; } = SiloMode.Embedded;

    /// <summary>Redis connection string (Cluster mode), e.g. <c>127.0.0.1:6379</c>.</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>Cluster id shared by all silos and clients of one deployment.</summary>
    public string ClusterId { get; set; } = "emotion";

    /// <summary>Service id (stable across deployments: it keys stored grain state).</summary>
    public string ServiceId { get; set; } = "emotion-calls";

    /// <summary>
    /// Host name or address that other silos and clients reach this silo at, in Cluster mode (a compose
    /// service name, a VM's address); the silo then listens on every address. Unset: loopback, for
    /// silos on one machine. In a Kubernetes pod the pod IP is used instead.
    /// </summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The longest <see cref="StreamCacheRetention"/> accepted.</summary>
    public static readonly TimeSpan MaxStreamCacheRetention = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long the call streams' cache keeps an event after it was delivered (Orleans keeps 30 minutes
    /// for subscribers that rewind; none here does). From 1 s to <see cref="MaxStreamCacheRetention"/>.
    /// </summary>
    public TimeSpan StreamCacheRetention { get; set; } = DefaultStreamCacheRetention;

    /// <summary>The default <see cref="StreamCacheRetention"/>: a minute.</summary>
    public static readonly TimeSpan DefaultStreamCacheRetention = TimeSpan.FromMinutes(1);
}
