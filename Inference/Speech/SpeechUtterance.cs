namespace Emotion.Orleans.Inference;

/// <summary>One utterance of a call with its speaker's statistics so far (null: the call's first utterance).</summary>
/// <param name="Samples">16 kHz mono samples in [-1, 1].</param>
/// <param name="Speaker">Running statistics of the speaker's earlier utterances; null when there are none.</param>
public sealed record SpeechUtterance(float[] Samples, SpeakerStatistics? Speaker);

/// <summary>A speech prediction with the speaker's statistics updated by this utterance.</summary>
/// <param name="Prediction">The class logits.</param>
/// <param name="Speaker">The statistics including this utterance, to pass with the speaker's next one; null when the head normalises nothing.</param>
public sealed record SpeechRecognition(ModalityPrediction Prediction, SpeakerStatistics? Speaker);
