using System.Buffers;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace Emotion.Orleans.Inference;

/// <summary>
/// Runs the speech CNN (<c>speech-cnn.onnx</c> of the bundle) over utterances: MFCC matrices →
/// one batched ONNX run → 128-d embeddings (what speech heads read) and the CNN's own 7 logits.
/// Thread-safe; the session is shared.
/// </summary>
public sealed class SpeechEmbedder : ISpeechEmbedder, IDisposable
{
    /// <summary>Name of the CNN's input, [b, 1, 40, 300].</summary>
    public const string InputName = "mfcc";

    /// <summary>Name of the embedding output, [b, 128].</summary>
    public const string EmbeddingName = "embedding";

    /// <summary>Name of the logits output, [b, 7].</summary>
    public const string LogitsName = "logits";

    /// <summary>ONNX metadata key naming the <see cref="MfccNormalization"/> the CNN was trained with (absent: utterance).</summary>
    public const string NormalizationMetadataKey = "mfcc_normalization";

    /// <summary>Width of the embedding.</summary>
    public const int EmbeddingSize = 128;

    private static readonly string[] InputNames = [InputName];
    private static readonly string[] OutputNames = [EmbeddingName, LogitsName];

    private readonly InferenceSession _session;
    private readonly bool _ownsSession;
    private readonly TimeSpan _maxDuration;

    /// <summary>Wraps a shared session over the speech CNN.</summary>
    /// <param name="session">The session; its signature is checked.</param>
    /// <param name="maxUtteranceDuration">Longest utterance accepted (default 30 s).</param>
    /// <param name="ownsSession">Dispose the session with this object.</param>
    /// <exception cref="ModelBundleException">The model does not have the CNN's signature.</exception>
    public SpeechEmbedder(InferenceSession session, TimeSpan? maxUtteranceDuration = null, bool ownsSession = false)
    {
        ArgumentNullException.ThrowIfNull(session);
        CheckSignature(session);
        _session = session;
        _ownsSession = ownsSession;
        _maxDuration = maxUtteranceDuration ?? PcmAudio.DefaultMaxDuration;
        Normalization = ReadNormalization(session);
    }

    /// <summary>Longest utterance accepted.</summary>
    public TimeSpan MaxUtteranceDuration => _maxDuration;

    /// <summary>The MFCC normalisation the CNN was trained with (from its metadata).</summary>
    public MfccNormalization Normalization { get; }

    /// <summary>The metadata value of a normalisation.</summary>
    public static string NormalizationName(MfccNormalization normalization) => normalization switch
    {
        MfccNormalization.Utterance => "utterance",
        MfccNormalization.Level => "level",
        _ => throw new ArgumentOutOfRangeException(nameof(normalization)),
    };

    /// <summary>Loads the CNN from a file with its own session.</summary>
    /// <exception cref="ModelBundleException">The file is missing or is not the speech CNN.</exception>
    public static SpeechEmbedder Load(string path, OnnxSessionFactory? factory = null, TimeSpan? maxUtteranceDuration = null)
    {
        if (!File.Exists(path))
        {
            throw new ModelBundleException($"Speech CNN not found at '{path}'.");
        }

        InferenceSession session;
        try
        {
            session = (factory ?? new OnnxSessionFactory()).Create(path);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelBundleException($"Speech CNN at '{path}' cannot be loaded: {ex.Message}", ex);
        }

        try
        {
            return new SpeechEmbedder(session, maxUtteranceDuration, ownsSession: true);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public float[][] Embed(IReadOnlyList<float[]> utterances16k) => Run(utterances16k).Embeddings;

    /// <summary>Embeddings and CNN logits of each utterance, in input order.</summary>
    /// <exception cref="InvalidInputException">An utterance is empty, too long or holds NaN/∞ (checked before the model runs).</exception>
    public SpeechCnnOutput Run(IReadOnlyList<float[]> utterances16k) => Run(utterances16k, null);

    /// <summary>
    /// As <see cref="Run(IReadOnlyList{float[]})"/>, telling <paramref name="observer"/> how long validation
    /// and MFCC (<see cref="InferenceStage.Decode"/>) and the CNN run (<see cref="InferenceStage.Model"/>) took.
    /// </summary>
    /// <param name="utterances16k">Utterances at 16 kHz.</param>
    /// <param name="observer">Told each stage's time; none when null.</param>
    /// <exception cref="InvalidInputException">An utterance is empty, too long or holds NaN/∞ (checked before the model runs; no stage is reported).</exception>
    public SpeechCnnOutput Run(IReadOnlyList<float[]> utterances16k, IInferenceStageObserver? observer)
    {
        ArgumentNullException.ThrowIfNull(utterances16k);
        var clock = new StageClock(observer, Modality.Speech);
        if (utterances16k.Count == 0)
        {
            return new SpeechCnnOutput([], []);
        }

        for (var i = 0; i < utterances16k.Count; i++)
        {
            if (utterances16k[i] is null)
            {
                throw new InvalidInputException(Modality.Speech, InputErrorKind.Empty, string.Create(CultureInfo.InvariantCulture, $"Utterance {i} is null."));
            }

            PcmAudio.Validate(utterances16k[i], _maxDuration);
        }

        return RunMatrices(utterances16k.Count, (i, matrix) => MfccFeatures.Compute(utterances16k[i], Normalization, matrix), ref clock);
    }

    /// <summary>
    /// Embeddings and CNN logits of utterances whose raw MFCC frames (<see cref="MfccFeatures.ComputeRawFrames"/>)
    /// the caller already computed (and validated the audio of): the same output as <see cref="Run(IReadOnlyList{float[]}, IInferenceStageObserver?)"/>
    /// on that audio, without computing the MFCC again.
    /// </summary>
    /// <exception cref="ArgumentException">A frame list is empty or a frame is not <see cref="MfccFeatures.Coefficients"/> wide.</exception>
    public SpeechCnnOutput RunRawFrames(IReadOnlyList<float[][]> rawFrames, IInferenceStageObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(rawFrames);
        if (rawFrames.Count == 0)
        {
            return new SpeechCnnOutput([], []);
        }

        if (rawFrames.Any(f => f is null || f.Length == 0 || f.Any(c => c is null || c.Length != MfccFeatures.Coefficients)))
        {
            throw new ArgumentException($"Each utterance needs at least one frame of {MfccFeatures.Coefficients} coefficients.", nameof(rawFrames));
        }

        var clock = new StageClock(observer, Modality.Speech);
        return RunMatrices(rawFrames.Count, (i, matrix) => MfccFeatures.ComputeFromRawFrames(rawFrames[i], Normalization, matrix), ref clock);
    }

    // Writes utterance i's MFCC matrix into its slot of the batch.
    private delegate void MatrixWriter(int index, Span<float> matrix);

    // The clock has run since the caller's start, so the MFCC work counts in the decode stage.
    private SpeechCnnOutput RunMatrices(int count, MatrixWriter write, ref StageClock clock)
    {
        // Pooled: a batch of a few matrices (48 KB each) would otherwise land on the large object heap.
        var length = count * MfccFeatures.MatrixLength;
        var matrices = ArrayPool<float>.Shared.Rent(length);
        try
        {
            for (var i = 0; i < count; i++)
            {
                write(i, matrices.AsSpan(i * MfccFeatures.MatrixLength, MfccFeatures.MatrixLength));
            }

            clock.Completed(InferenceStage.Decode, count);
            var output = Run(matrices.AsMemory(0, length), count);
            clock.Completed(InferenceStage.Model, count);
            return output;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(matrices);
        }
    }

    /// <summary>Runs the CNN on precomputed MFCC matrices (<paramref name="count"/> × 40 × 300, see <see cref="MfccFeatures"/>).</summary>
    /// <exception cref="InvalidInputException">The buffer does not hold <paramref name="count"/> matrices.</exception>
    public SpeechCnnOutput RunFeatures(float[] matrices, int count)
    {
        ArgumentNullException.ThrowIfNull(matrices);
        if (count <= 0 || matrices.Length != count * MfccFeatures.MatrixLength)
        {
            throw new InvalidInputException(
                Modality.Speech,
                InputErrorKind.WrongShape,
                string.Create(CultureInfo.InvariantCulture, $"Expected {count} MFCC matrices of {MfccFeatures.MatrixLength} values, got {matrices.Length} values."));
        }

        return Run(matrices, count);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsSession)
        {
            _session.Dispose();
        }
    }

    private SpeechCnnOutput Run(Memory<float> matrices, int count)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, matrices, [count, 1, MfccFeatures.Coefficients, MfccFeatures.Frames]);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, InputNames, [input], OutputNames);
        var embeddings = Rows(outputs[0].GetTensorDataAsSpan<float>(), count, EmbeddingSize);
        var logits = Rows(outputs[1].GetTensorDataAsSpan<float>(), count, EmotionLabels.Count);
        return new SpeechCnnOutput(embeddings, logits);
    }

    private static float[][] Rows(ReadOnlySpan<float> data, int count, int width)
    {
        var rows = new float[count][];
        for (var i = 0; i < count; i++)
        {
            rows[i] = data.Slice(i * width, width).ToArray();
        }

        return rows;
    }

    private static MfccNormalization ReadNormalization(InferenceSession session)
    {
        if (!session.ModelMetadata.CustomMetadataMap.TryGetValue(NormalizationMetadataKey, out var name))
        {
            return MfccNormalization.Utterance;
        }

        foreach (var candidate in Enum.GetValues<MfccNormalization>())
        {
            if (NormalizationName(candidate) == name)
            {
                return candidate;
            }
        }

        throw new ModelBundleException($"The speech CNN was trained with MFCC normalisation '{name}', which this version does not know.");
    }

    private static void CheckSignature(InferenceSession session)
    {
        var inputs = session.InputMetadata;
        var outputs = session.OutputMetadata;
        if (!inputs.TryGetValue(InputName, out var input) || inputs.Count != 1
            || !outputs.TryGetValue(EmbeddingName, out var embedding) || !outputs.TryGetValue(LogitsName, out var logits))
        {
            throw new ModelBundleException(
                $"The speech CNN must take '{InputName}' and give '{EmbeddingName}' and '{LogitsName}'; it takes [{string.Join(", ", inputs.Keys)}] and gives [{string.Join(", ", outputs.Keys)}].");
        }

        int[] expectedInput = [-1, 1, MfccFeatures.Coefficients, MfccFeatures.Frames];
        if (!input.Dimensions.AsSpan(1).SequenceEqual(expectedInput.AsSpan(1)) || input.Dimensions.Length != 4
            || embedding.Dimensions.Length != 2 || embedding.Dimensions[1] != EmbeddingSize
            || logits.Dimensions.Length != 2 || logits.Dimensions[1] != EmotionLabels.Count)
        {
            throw new ModelBundleException(
                $"The speech CNN's shapes are mfcc [{string.Join(", ", input.Dimensions)}], embedding [{string.Join(", ", embedding.Dimensions)}], logits [{string.Join(", ", logits.Dimensions)}]; expected [b, 1, {MfccFeatures.Coefficients}, {MfccFeatures.Frames}], [b, {EmbeddingSize}], [b, {EmotionLabels.Count}].");
        }
    }
}
