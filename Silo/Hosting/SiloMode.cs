namespace Emotion.Orleans.Silo;

/// <summary>Deployment shape of the silo.</summary>
public enum SiloMode
{
    /// <summary>One silo on localhost with memory streams and storage.</summary>
    Embedded = 0,

    /// <summary>Redis clustering and Redis grain storage; several silos form one cluster.</summary>
    Cluster = 1,
}
