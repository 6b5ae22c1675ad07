namespace Emotion.Orleans.Inference;

/// <summary>
/// Transcript text → class logits: sentence embeddings from an <see cref="ITextEmbedder"/>, then the
/// learned text <see cref="ModalityHead"/>. A head twice the embedder's width reads dialogue context
/// (<see cref="DialogueContext"/>): the mean embedding of the previous turns follows the utterance's;
/// a head three times as wide also reads the same speaker's previous turn.
/// Thread-safe when the embedder is.
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
    /// <param name="contextTurns">Previous turns the head's context reads (used only by a context-reading head).</param>
    /// <exception cref="ModelBundleException">The head reads another feature width than the embedder gives (alone, with context, or with context and the speaker's previous turn).</exception>
    public TextRecognizer(ITextEmbedder embedder, ModalityHead head, IInferenceStageObserver? observer = null, int contextTurns = DialogueContext.DefaultTurns)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(head);
        ArgumentOutOfRangeException.ThrowIfNegative(contextTurns);
        if (head.InputDimension != embedder.Dimension && head.InputDimension != 2 * embedder.Dimension && head.InputDimension != 3 * embedder.Dimension)
        {
            throw new ModelBundleException($"The text head reads {head.InputDimension} features but the text encoder gives {embedder.Dimension} ({2 * embedder.Dimension} with context, {3 * embedder.Dimension} with context and the speaker's previous turn).");
        }

        _embedder = embedder;
        _head = head;
        _observer = observer;
        ReadsContext = head.InputDimension >= 2 * embedder.Dimension;
        ReadsSpeakerTurn = head.InputDimension == 3 * embedder.Dimension;
        ContextTurns = ReadsContext ? contextTurns : 0;
    }

    /// <summary>Whether the head reads dialogue context.</summary>
    public bool ReadsContext { get; }

    /// <summary>Whether the head also reads the same speaker's previous turn (<see cref="TextTurn.SameSpeakerPreviousEmbedding"/>).</summary>
    public bool ReadsSpeakerTurn { get; }

    /// <summary>Previous turns read (0 without context).</summary>
    public int ContextTurns { get; }

    /// <inheritdoc />
    /// <exception cref="InvalidInputException">A text is refused by the embedder; nothing runs.</exception>
    public IReadOnlyList<ModalityPrediction> Recognize(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return Recognize([.. texts.Select(t => new TextTurn(t, []))]);
    }

    /// <inheritdoc />
    /// <exception cref="InvalidInputException">A text or a context turn is refused by the embedder; nothing runs.</exception>
    public IReadOnlyList<ModalityPrediction> Recognize(IReadOnlyList<TextTurn> turns) => [.. RecognizeTurns(turns).Select(r => r.Prediction)];

    /// <inheritdoc />
    public IReadOnlyList<TextRecognition> RecognizeTurns(IReadOnlyList<TextTurn> turns)
    {
        ArgumentNullException.ThrowIfNull(turns);

        // Context given as embeddings is read as is; context given as text is embedded with the
        // utterances, all in one encoder run (utterances first).
        var width = _embedder.Dimension;
        var given = new IReadOnlyList<float[]>?[turns.Count];
        var contexts = new IReadOnlyList<string>[turns.Count];
        for (var i = 0; i < turns.Count; i++)
        {
            contexts[i] = [];
            if (!ReadsContext)
            {
                continue;
            }

            if (turns[i].ContextEmbeddings is { } embedded)
            {
                foreach (var e in embedded)
                {
                    if (e is null || e.Length != width)
                    {
                        throw new InvalidInputException(Modality.Text, InputErrorKind.WrongShape, $"Context embeddings must be {width} wide; got {(e is null ? "none" : e.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))}.");
                    }
                }

                given[i] = DialogueContext.Last(embedded, ContextTurns);
            }
            else
            {
                contexts[i] = DialogueContext.Last(turns[i].Context ?? [], ContextTurns);
            }

            if (ReadsSpeakerTurn && turns[i].SameSpeakerPreviousEmbedding is { } own && own.Length != width)
            {
                throw new InvalidInputException(Modality.Text, InputErrorKind.WrongShape, $"The speaker's previous embedding must be {width} wide; got {own.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
            }
        }

        var embeddings = _embedder.Embed([.. turns.Select(t => t.Text), .. contexts.SelectMany(c => c)], _observer);
        var clock = new StageClock(_observer, Modality.Text);
        var recognitions = new TextRecognition[turns.Count];
        var next = turns.Count;
        for (var i = 0; i < turns.Count; i++)
        {
            float[] features = embeddings[i];
            if (ReadsContext)
            {
                var previous = given[i] ?? embeddings[next..(next + contexts[i].Count)];
                next += contexts[i].Count;
                features = ReadsSpeakerTurn
                    ? DialogueContext.Features(embeddings[i], previous, turns[i].SameSpeakerPreviousEmbedding)
                    : DialogueContext.Features(embeddings[i], previous);
            }

            recognitions[i] = new TextRecognition(ModalityPrediction.FromLogits(Modality.Text, _head.Logits(features)), embeddings[i]);
        }

        if (recognitions.Length > 0)
        {
            clock.Completed(InferenceStage.Classifier, recognitions.Length);
        }

        return recognitions;
    }
}
