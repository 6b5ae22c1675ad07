using System.Collections.Immutable;

namespace Emotion.Orleans.Grains;

/// <summary>
/// Running statistics of one call's speech features (count, per-feature mean and sum of squared
/// deviations), which the speech worker uses to normalise each utterance for the caller's voice
/// and returns updated. The call session keeps them; the worker stays stateless.
/// </summary>
/// <param name="Count">Utterances seen.</param>
/// <param name="Mean">Per-feature mean.</param>
/// <param name="SumSquares">Per-feature sum of squared deviations from the mean.</param>
[GenerateSerializer]
[Immutable]
[Alias("emotion.speaker-feature-statistics")]
public sealed record SpeakerFeatureStatistics(
    [property: Id(0)] int Count,
    [property: Id(1)] ImmutableArray<float> Mean,
    [property: Id(2)] ImmutableArray<float> SumSquares);
