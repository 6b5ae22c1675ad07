namespace Emotion.Orleans.Inference;

/// <summary>Speech utterances (16 kHz mono, float samples in [-1, 1]) → class logits, batched.</summary>
public interface ISpeechRecognizer
{
    /// <summary>Recognizes each utterance as the first of its speaker; results are in input order.</summary>
    /// <exception cref="InvalidInputException">An utterance is empty, too long or holds NaN/∞.</exception>
    IReadOnlyList<ModalityPrediction> Recognize(IReadOnlyList<float[]> utterances);

    /// <summary>
    /// Recognizes each utterance normalised by its speaker's running statistics and returns them
    /// updated; results are in input order. A recognizer that normalises nothing returns null statistics.
    /// </summary>
    /// <exception cref="InvalidInputException">An utterance is empty, too long or holds NaN/∞.</exception>
    IReadOnlyList<SpeechRecognition> Recognize(IReadOnlyList<SpeechUtterance> utterances)
    {
        ArgumentNullException.ThrowIfNull(utterances);
        return [.. Recognize([.. utterances.Select(u => u.Samples)]).Select(p => new SpeechRecognition(p, null))];
    }
}
