using Orleans.Placement;

namespace Emotion.Orleans.Grains;

/// <summary>Placement filter that narrows candidates to GPU silos when at least one is there.</summary>
public sealed class PreferGpuSiloPlacementFilterStrategy() : PlacementFilterStrategy(order: 0);
