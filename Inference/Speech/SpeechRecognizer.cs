namespace Emotion.Orleans.Inference;

/// <summary>
/// Speech utterances → MFCC → speech CNN (one batched ONNX run) → 128-d embedding →
/// the bundle's speech <see cref="ModalityHead"/> → class logits. Thread-safe.
/// </summary>
public sealed class SpeechRecognizer : ISpeechRecognizer
{
    private readonly SpeechEmbedder _embedder;
    private readonly ModalityHead _head;
    private readonly IInferenceStageObserver? _observer;

    /// <summary>Creates the recognizer over a shared embedder and the speech head.</summary>
    /// <param name="embedder">The speech CNN.</param>
    /// <param name="head">The learned speech head.</param>
    /// <param name="observer">Told each batch's MFCC, model and classifier times; none when null.</param>
    /// <exception cref="ModelBundleException">The head does not read the CNN's 128-d embedding.</exception>
    public SpeechRecognizer(SpeechEmbedder embedder, ModalityHead head, IInferenceStageObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(head);
        if (head.InputDimension != SpeechEmbedder.EmbeddingSize)
        {
            throw new ModelBundleException($"The speech head reads {head.InputDimension} features; the speech CNN gives {SpeechEmbedder.EmbeddingSize}.");
        }

        _embedder = embedder;
        _head = head;
        _observer = observer;
    }

    /// <inheritdoc />
    public IReadOnlyList<ModalityPrediction> Recognize(IReadOnlyList<float[]> utterances)
    {
        var embeddings = _embedder.Run(utterances, _observer).Embeddings;
        var clock = new StageClock(_observer, Modality.Speech);
        var predictions = new ModalityPrediction[embeddings.Length];
        for (var i = 0; i < embeddings.Length; i++)
        {
            predictions[i] = ModalityPrediction.FromLogits(Modality.Speech, _head.Logits(embeddings[i]));
        }

        if (predictions.Length > 0)
        {
            clock.Completed(InferenceStage.Classifier, predictions.Length);
        }

        return predictions;
    }
}
