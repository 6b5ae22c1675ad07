using System.Collections.Immutable;

namespace Emotion.Orleans.Grains;

/// <summary>One modality's class embedding z_i: seven logits in <see cref="EmotionDistribution.Labels"/> order.</summary>
/// <param name="Values">The seven logits.</param>
[GenerateSerializer]
[Immutable]
[Alias("emotion.class-logits")]
public sealed record ClassLogits([property: Id(0)] ImmutableArray<float> Values);
