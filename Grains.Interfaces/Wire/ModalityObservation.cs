using System.Collections.Immutable;

namespace Emotion.Orleans.Grains;

/// <summary>
/// One modality's latest evidence for the fusion: its class embedding over a stretch of the call,
/// or (with null <paramref name="Logits"/>) the news that the modality is absent from now on
/// (for example a frame without a face).
/// </summary>
/// <param name="Modality">Which input.</param>
/// <param name="Logits">The class embedding z_i; null when the modality dropped out.</param>
/// <param name="Start">Start of the stretch the evidence covers.</param>
/// <param name="End">End of that stretch.</param>
/// <param name="UtteranceEnd">True when the evidence closes an utterance (fuse now).</param>
/// <param name="Speaker">Who spoke, when known (text).</param>
/// <param name="Text">The words, for text evidence (used to suggest a reply).</param>
/// <param name="TextEmbedding">The words' sentence embedding from the text worker, so the reply suggestion does not embed them again.</param>
[GenerateSerializer]
[Immutable]
[Alias("emotion.modality-observation")]
public sealed record ModalityObservation(
    [property: Id(0)] InputModality Modality,
    [property: Id(1)] ClassLogits? Logits,
    [property: Id(2)] TimeSpan Start,
    [property: Id(3)] TimeSpan End,
    [property: Id(4)] bool UtteranceEnd,
    [property: Id(5)] Speaker? Speaker = null,
    [property: Id(6)] string? Text = null,
    [property: Id(7)] ImmutableArray<float>? TextEmbedding = null);
