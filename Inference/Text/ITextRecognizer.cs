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

    /// <summary>
    /// Recognizes each utterance as <see cref="Recognize(IReadOnlyList{TextTurn})"/> does and also
    /// returns its sentence embedding, which the caller passes back as
    /// <see cref="TextTurn.ContextEmbeddings"/> of the next turns instead of their text.
    /// </summary>
    /// <exception cref="InvalidInputException">A text or a context turn is refused, or a context embedding has the wrong width; nothing runs.</exception>
    IReadOnlyList<TextRecognition> RecognizeTurns(IReadOnlyList<TextTurn> turns);
}
