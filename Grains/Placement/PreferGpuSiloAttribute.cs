using Orleans.Placement;

namespace Emotion.Orleans.Grains;

/// <summary>Places the grain on a GPU silo when the cluster has one, otherwise on any silo.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class PreferGpuSiloAttribute() : PlacementFilterAttribute(new PreferGpuSiloPlacementFilterStrategy());
