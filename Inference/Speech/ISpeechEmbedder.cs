namespace Emotion.Orleans.Inference;

/// <summary>Utterances (16 kHz) → speech CNN embeddings, for training the speech head.</summary>
public interface ISpeechEmbedder
{
    /// <summary>One embedding per utterance, in input order.</summary>
    /// <exception cref="InvalidInputException">An utterance is empty, too long or holds NaN/∞.</exception>
    float[][] Embed(IReadOnlyList<float[]> utterances16k);
}
