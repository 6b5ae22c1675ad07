namespace Emotion.Orleans.Inference;

/// <summary>A recognised utterance: the text head's prediction and the utterance's sentence embedding.</summary>
/// <param name="Prediction">The text head's answer.</param>
/// <param name="Embedding">The utterance's embedding, for the context of the call's next turns.</param>
public sealed record TextRecognition(ModalityPrediction Prediction, float[] Embedding);
