namespace Emotion.Orleans.Inference;

/// <summary>Transcript text → class logits, several texts in one model run.</summary>
public interface ITextRecognizer
{
    /// <summary>Recognizes each text without dialogue context; results are in input order.</summary>
    /// <exception cref="InvalidInputException">A text is empty, only whitespace, over the length limit or not encodable text; nothing runs.</exception>
    IReadOnlyList<ModalityPrediction> Recognize(IReadOnlyList<string> texts);

    /// <summary>
    /// Recognizes each utterance with the previous turns of its dialogue; results are in input order.
    /// A recognizer whose head reads no context ignores the turns.
    /// </summary>
    /// <exception cref="InvalidInputException">A text or a context turn is refused; nothing runs.</exception>
    IReadOnlyList<ModalityPrediction> Recognize(IReadOnlyList<TextTurn> turns)
    {
        ArgumentNullException.ThrowIfNull(turns);
        return Recognize([.. turns.Select(t => t.Text)]);
    }
}
