namespace Emotion.Orleans.Inference;

/// <summary>
/// Speech utterances → MFCC → speech CNN (one batched ONNX run) → 128-d embedding →
/// the bundle's speech <see cref="ModalityHead"/> → class logits. Thread-safe.
/// </summary>
public sealed class SpeechRecognizer : ISpeechRecognizer
{
    private readonly SpeechEmbedder _embedder;
    private readonly ModalityHead _head;

    /// <summary>Creates the recognizer over a shared embedder and the speech head.</summary>
    /// <exception cref="ModelBundleException">The head does not read the CNN's 128-d embedding.</exception>
    public SpeechRecognizer(SpeechEmbedder embedder, ModalityHead head)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(head);
        if (head.InputDimension != SpeechEmbedder.EmbeddingSize)
        {
            throw new ModelBundleException($"The speech head reads {head.InputDimension} features; the speech CNN gives {SpeechEmbedder.EmbeddingSize}.");
        }

        _embedder = embedder;
        _head = head;
    }

    /// <inheritdoc />
    public IReadOnlyList<ModalityPrediction> Recognize(IReadOnlyList<float[]> utterances)
    {
        var embeddings = _embedder.Embed(utterances);
        var predictions = new ModalityPrediction[embeddings.Length];
        for (var i = 0; i < embeddings.Length; i++)
        {
            predictions[i] = ModalityPrediction.FromLogits(Modality.Speech, _head.Logits(embeddings[i]));
        }

        return predictions;
    }
}
