namespace Emotion.Orleans.Inference;

/// <summary>
/// Transcript text → class logits: sentence embeddings from an <see cref="ITextEmbedder"/>, then the
/// learned text <see cref="ModalityHead"/>. Thread-safe when the embedder is.
/// </summary>
public sealed class TextRecognizer : ITextRecognizer
{
    private readonly ITextEmbedder _embedder;
    private readonly ModalityHead _head;
    private readonly IInferenceStageObserver? _observer;

    /// <summary>Creates the recognizer; it does not own the embedder.</summary>
    /// <param name="embedder">The sentence encoder.</param>
    /// <param name="head">The learned text head.</param>
    /// <param name="observer">Told each batch's decode, model and classifier times; none when null.</param>
    /// <exception cref="ModelBundleException">The head reads another feature width than the embedder gives.</exception>
    public TextRecognizer(ITextEmbedder embedder, ModalityHead head, IInferenceStageObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(head);
        if (head.InputDimension != embedder.Dimension)
        {
            throw new ModelBundleException($"The text head reads {head.InputDimension} features but the text encoder gives {embedder.Dimension}.");
        }

        _embedder = embedder;
        _head = head;
        _observer = observer;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidInputException">A text is refused by the embedder; nothing runs.</exception>
    public IReadOnlyList<ModalityPrediction> Recognize(IReadOnlyList<string> texts)
    {
        var embeddings = _embedder.Embed(texts, _observer);
        var clock = new StageClock(_observer, Modality.Text);
        var predictions = new ModalityPrediction[embeddings.Length];
        for (var i = 0; i < embeddings.Length; i++)
        {
            predictions[i] = ModalityPrediction.FromLogits(Modality.Text, _head.Logits(embeddings[i]));
        }

        if (predictions.Length > 0)
        {
            clock.Completed(InferenceStage.Classifier, predictions.Length);
        }

        return predictions;
    }
}
