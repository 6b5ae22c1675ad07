namespace Emotion.Orleans.Inference;

/// <summary>Speech utterances (16 kHz mono, float samples in [-1, 1]) → class logits, batched.</summary>
public interface ISpeechRecognizer
{
    /// <summary>Recognizes each utterance; results are in input order.</summary>
    /// <exception cref="InvalidInputException">An utterance is empty, too long or holds NaN/∞.</exception>
    IReadOnlyList<ModalityPrediction> Recognize(IReadOnlyList<float[]> utterances);
}
