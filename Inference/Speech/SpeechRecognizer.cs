using System.Globalization;

namespace Emotion.Orleans.Inference;

/// <summary>
/// Speech utterances → silence trimmed (<see cref="SilenceTrim"/>) → features → (per-speaker
/// normalisation) → the bundle's speech <see cref="ModalityHead"/> → class logits (softened by
/// <see cref="OutOfDomainTemperature"/> for a voice unlike every training speaker). The features are
/// the speech CNN's 128-d embedding (one batched ONNX run over MFCC matrices), or, when the head
/// reads <see cref="CombinedDimension"/> features, the 280 MFCC statistics
/// (<see cref="MfccStatistics"/>), that embedding and the 23 prosody statistics
/// (<see cref="ProsodyStatistics"/>).
/// Thread-safe; the speaker's statistics travel with each request, so the recognizer keeps no state.
/// </summary>
public sealed class SpeechRecognizer : ISpeechRecognizer
{
    /// <summary>Width of [MFCC statistics; CNN embedding; prosody statistics].</summary>
    public const int CombinedDimension = MfccStatistics.Dimension + SpeechEmbedder.EmbeddingSize + ProsodyStatistics.Dimension;

    /// <summary>Where the CNN embedding starts in the combined features.</summary>
    public const int EmbeddingOffset = MfccStatistics.Dimension;

    /// <summary>Where the prosody statistics start in the combined features.</summary>
    public const int ProsodyOffset = MfccStatistics.Dimension + SpeechEmbedder.EmbeddingSize;

    private readonly SpeechEmbedder _embedder;
    private readonly ModalityHead _head;
    private readonly SpeakerNormalizer? _normalizer;
    private readonly IInferenceStageObserver? _observer;

    /// <summary>Creates the recognizer over a shared embedder and the speech head.</summary>
    /// <param name="embedder">The speech CNN.</param>
    /// <param name="head">The learned speech head.</param>
    /// <param name="observer">Told each batch's MFCC, model and classifier times; none when null.</param>
    /// <param name="normalizer">Per-speaker normalisation before the head; none when null.</param>
    /// <exception cref="ModelBundleException">The head reads neither the CNN embedding nor the combined features, or the normaliser another width.</exception>
    public SpeechRecognizer(SpeechEmbedder embedder, ModalityHead head, IInferenceStageObserver? observer = null, SpeakerNormalizer? normalizer = null)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(head);
        if (head.InputDimension != SpeechEmbedder.EmbeddingSize && head.InputDimension != CombinedDimension)
        {
            throw new ModelBundleException($"The speech head reads {head.InputDimension} features; the speech CNN gives {SpeechEmbedder.EmbeddingSize} ({CombinedDimension} with the MFCC and prosody statistics).");
        }

        if (normalizer is not null && normalizer.Width != head.InputDimension)
        {
            throw new ModelBundleException($"The speaker normaliser reads {normalizer.Width} features; the speech head reads {head.InputDimension}.");
        }

        _embedder = embedder;
        _head = head;
        _normalizer = normalizer;
        _observer = observer;
    }

    /// <inheritdoc />
    public IReadOnlyList<ModalityPrediction> Recognize(IReadOnlyList<float[]> utterances)
    {
        ArgumentNullException.ThrowIfNull(utterances);
        return [.. Recognize([.. utterances.Select(u => new SpeechUtterance(u, null))]).Select(r => r.Prediction)];
    }

    /// <inheritdoc />
    public IReadOnlyList<SpeechRecognition> Recognize(IReadOnlyList<SpeechUtterance> utterances)
    {
        ArgumentNullException.ThrowIfNull(utterances);
        foreach (var u in utterances)
        {
            if (u?.Speaker is { } s && s.Width != _head.InputDimension)
            {
                throw new InvalidInputException(Modality.Speech, InputErrorKind.WrongShape, $"Speaker statistics of {s.Width} features do not fit the speech head's {_head.InputDimension}.");
            }
        }

        var features = Features([.. utterances.Select(u => u?.Samples!)]);
        var clock = new StageClock(_observer, Modality.Speech);
        var results = new SpeechRecognition[features.Length];
        for (var i = 0; i < features.Length; i++)
        {
            SpeakerStatistics? speaker = null;
            var x = features[i];
            if (_normalizer is not null)
            {
                speaker = (utterances[i].Speaker ?? SpeakerStatistics.Empty(x.Length)).Add(x);
                x = _normalizer.Normalize(x, speaker);
            }

            var logits = _head.Logits(x);
            if (_normalizer is not null)
            {
                // Only normalised features are in units of the speaker's spread.
                OutOfDomainTemperature.Apply(logits, x);
            }

            results[i] = new SpeechRecognition(ModalityPrediction.FromLogits(Modality.Speech, logits), speaker);
        }

        if (results.Length > 0)
        {
            clock.Completed(InferenceStage.Classifier, results.Length);
        }

        return results;
    }

    /// <summary>The head's input features of each utterance, before speaker normalisation.</summary>
    /// <exception cref="InvalidInputException">An utterance is empty, too long or holds NaN/∞.</exception>
    public float[][] Features(IReadOnlyList<float[]> utterances) => Features(_embedder, utterances, _head.InputDimension == CombinedDimension, _observer);

    /// <summary>[MFCC statistics; CNN embedding; prosody statistics] (or the embedding alone) of each utterance, silence trimmed.</summary>
    /// <exception cref="InvalidInputException">An utterance is empty, too long or holds NaN/∞.</exception>
    public static float[][] Features(SpeechEmbedder embedder, IReadOnlyList<float[]> utterances, bool withStatistics, IInferenceStageObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(utterances);
        // Trimmed utterances are slices of the ones sent, not copies: an utterance of a second or more
        // lives on the large object heap, and each copy there brings the next full collection closer.
        var trimmed = new ReadOnlyMemory<float>[utterances.Count];
        for (var i = 0; i < utterances.Count; i++)
        {
            // Checked before trimming, so a too-long or broken utterance is refused as sent.
            var u = utterances[i] ?? throw new InvalidInputException(Modality.Speech, InputErrorKind.Empty, string.Create(CultureInfo.InvariantCulture, $"Utterance {i} is null."));
            PcmAudio.Validate(u, embedder.MaxUtteranceDuration);
            trimmed[i] = SilenceTrim.Apply(u);
        }

        if (!withStatistics)
        {
            return embedder.Run([.. trimmed.Select((t, i) => t.Length == utterances[i].Length ? utterances[i] : t.ToArray())], observer).Embeddings;
        }

        // The CNN's matrix and the MFCC statistics come from the same raw frames: computed once
        // (an MFCC pass is about a third of an utterance's feature time).
        var raw = trimmed.Select(t => MfccFeatures.ComputeRawFrames(t.Span)).ToArray();
        var embeddings = embedder.RunRawFrames(raw, observer).Embeddings;
        var rows = new float[embeddings.Length][];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = [.. MfccStatistics.Summarize(raw[i]), .. embeddings[i], .. ProsodyStatistics.Compute(trimmed[i].Span)];
        }

        return rows;
    }
}
