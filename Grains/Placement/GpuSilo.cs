namespace Emotion.Orleans.Grains;

/// <summary>
/// The silo metadata that marks a silo as a GPU silo: <c>Orleans:Metadata:gpu = true</c>
/// (environment: <c>ORLEANS__METADATA__gpu=true</c>), published with <c>UseSiloMetadata()</c>.
/// </summary>
public static class GpuSilo
{
    /// <summary>Metadata key.</summary>
    public const string MetadataKey = "gpu";

    /// <summary>Value that marks a GPU silo.</summary>
    public const string MetadataValue = "true";
}
