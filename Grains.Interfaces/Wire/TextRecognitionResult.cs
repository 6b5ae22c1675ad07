using System.Collections.Immutable;

namespace Emotion.Orleans.Grains;

/// <summary>The text worker's answer for one utterance of a call.</summary>
/// <param name="Logits">The class embedding.</param>
/// <param name="Embedding">The utterance's sentence embedding: the context the call passes with its next turns, so no turn is embedded twice.</param>
[GenerateSerializer]
[Immutable]
[Alias("emotion.text-recognition-result")]
public sealed record TextRecognitionResult(
    [property: Id(0)] ClassLogits Logits,
    [property: Id(1)] ImmutableArray<float> Embedding);
