namespace Emotion.Orleans.Grains;

/// <summary>The speech worker's answer for one utterance.</summary>
/// <param name="Logits">The class embedding.</param>
/// <param name="Speaker">The call's speech statistics including this utterance (null when the model normalises nothing).</param>
[GenerateSerializer]
[Immutable]
[Alias("emotion.speech-recognition-result")]
public sealed record SpeechRecognitionResult(
    [property: Id(0)] ClassLogits Logits,
    [property: Id(1)] SpeakerFeatureStatistics? Speaker);
