namespace Emotion.Orleans.Inference;

/// <summary>
/// Transcript text → class logits: sentence embeddings from an <see cref="ITextEmbedder"/>, then the
/// learned text <see cref="ModalityHead"/>. Thread-safe when the embedder is.
/// </summary>
public sealed class TextRecognizer : ITextRecognizer
{
    private readonly ITextEmbedder _embedder;
    private readonly ModalityHead _head;

    /// <summary>Creates the recognizer; it does not own the embedder.</summary>
    /// <exception cref="ModelBundleException">The head reads another feature width than the embedder gives.</exception>
    public TextRecognizer(ITextEmbedder embedder, ModalityHead head)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(head);
        if (head.InputDimension != embedder.Dimension)
        {
            throw new ModelBundleException($"The text head reads {head.InputDimension} features but the text encoder gives {embedder.Dimension}.");
        }

        _embedder = embedder;
        _head = head;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidInputException">A text is refused by the embedder; nothing runs.</exception>
    public IReadOnlyList<ModalityPrediction> Recognize(IReadOnlyList<string> texts)
    {
        var embeddings = _embedder.Embed(texts);
        var predictions = new ModalityPrediction[embeddings.Length];
        for (var i = 0; i < embeddings.Length; i++)
        {
            predictions[i] = ModalityPrediction.FromLogits(Modality.Text, _head.Logits(embeddings[i]));
        }

        return predictions;
    }
}
