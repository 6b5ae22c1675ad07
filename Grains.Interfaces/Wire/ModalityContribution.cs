namespace Emotion.Orleans.Grains;

/// <summary>What one present modality contributed to a fused result.</summary>
/// <param name="Modality">Which input.</param>
/// <param name="Distribution">softmax(z_i) of that modality.</param>
/// <param name="Alpha">Its attention weight α_i.</param>
/// <param name="Start">Start of the stretch its evidence covers.</param>
/// <param name="End">End of that stretch.</param>
[GenerateSerializer]
[Immutable]
[Alias("emotion.modality-contribution")]
public sealed record ModalityContribution(
    [property: Id(0)] InputModality Modality,
    [property: Id(1)] EmotionDistribution Distribution,
    [property: Id(2)] float Alpha,
    [property: Id(3)] TimeSpan Start,
    [property: Id(4)] TimeSpan End);
