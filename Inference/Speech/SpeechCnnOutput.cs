namespace Emotion.Orleans.Inference;

/// <summary>What the speech CNN gives for a batch.</summary>
/// <param name="Embeddings">One 128-d embedding per utterance.</param>
/// <param name="Logits">The CNN's own seven class logits per utterance.</param>
public sealed record SpeechCnnOutput(float[][] Embeddings, float[][] Logits);
