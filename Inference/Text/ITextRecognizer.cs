namespace Emotion.Orleans.Inference;

/// <summary>Transcript text → class logits, several texts in one model run.</summary>
public interface ITextRecognizer
{
    /// <summary>Recognizes each text; results are in input order.</summary>
    /// <exception cref="InvalidInputException">A text is empty, only whitespace, over the length limit or not encodable text; nothing runs.</exception>
    IReadOnlyList<ModalityPrediction> Recognize(IReadOnlyList<string> texts);
}
