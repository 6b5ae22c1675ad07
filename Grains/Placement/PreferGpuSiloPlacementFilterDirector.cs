using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace Emotion.Orleans.Grains;

/// <summary>
/// Keeps the GPU silos among the candidates, or all candidates when none is a GPU silo. Silos
/// publish their metadata with <c>UseSiloMetadata()</c>; without it no silo counts as a GPU silo.
/// </summary>
public sealed class PreferGpuSiloPlacementFilterDirector(IServiceProvider services) : IPlacementFilterDirector
{
    private readonly ISiloMetadataCache? _metadata = services.GetService(typeof(ISiloMetadataCache)) as ISiloMetadataCache;

    /// <inheritdoc />
    public IEnumerable<SiloAddress> Filter(PlacementFilterStrategy filterStrategy, PlacementTarget target, IEnumerable<SiloAddress> silos) =>
        _metadata is { } metadata ? PreferGpu(silos, silo => IsGpuSilo(metadata.GetSiloMetadata(silo).Metadata)) : silos;

    /// <summary>The GPU silos among <paramref name="silos"/> when there is one, otherwise all of them.</summary>
    public static IReadOnlyList<SiloAddress> PreferGpu(IEnumerable<SiloAddress> silos, Func<SiloAddress, bool> isGpuSilo)
    {
        ArgumentNullException.ThrowIfNull(silos);
        ArgumentNullException.ThrowIfNull(isGpuSilo);
        var candidates = silos.ToList();
        var gpu = candidates.Where(isGpuSilo).ToList();
        return gpu.Count > 0 ? gpu : candidates;
    }

    /// <summary>Whether published silo metadata marks a GPU silo.</summary>
    public static bool IsGpuSilo(IReadOnlyDictionary<string, string> siloMetadata) =>
        siloMetadata is not null
        && siloMetadata.TryGetValue(GpuSilo.MetadataKey, out var value)
        && string.Equals(value, GpuSilo.MetadataValue, StringComparison.OrdinalIgnoreCase);
}
