using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace Emotion.Orleans.Grains;

/// <summary>Keeps the GPU silos among the candidates, or all candidates when none is a GPU silo.</summary>
public sealed class PreferGpuSiloPlacementFilterDirector(ISiloMetadataCache metadata) : IPlacementFilterDirector
{
    /// <inheritdoc />
    public IEnumerable<SiloAddress> Filter(PlacementFilterStrategy filterStrategy, PlacementTarget target, IEnumerable<SiloAddress> silos)
    {
        var candidates = silos.ToList();
        var gpu = candidates.Where(IsGpuSilo).ToList();
        return gpu.Count > 0 ? gpu : candidates;
    }

    /// <summary>Whether the silo's published metadata marks it as a GPU silo.</summary>
    public bool IsGpuSilo(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(GpuSilo.MetadataKey, out var value)
        && string.Equals(value, GpuSilo.MetadataValue, StringComparison.OrdinalIgnoreCase);
}
