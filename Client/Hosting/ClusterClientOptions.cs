namespace Emotion.Orleans.Client;

/// <summary>The cluster a client joins; bound from the <c>ClusterClient</c> section.</summary>
public sealed class ClusterClientOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "ClusterClient";

    /// <summary>Redis connection string of the cluster's membership (as the silos' <c>Silo:RedisConnectionString</c>).</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>Cluster id (as the silos').</summary>
    public string ClusterId { get; set; } = "emotion";

    /// <summary>Service id (as the silos').</summary>
    public string ServiceId { get; set; } = "emotion-calls";
}
