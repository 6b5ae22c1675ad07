using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Orleans.Inference;

/// <summary>
/// The pretrained mini-Xception facial expression model (FER2013): a 64×64 grey face → seven class
/// probabilities, returned as log-probabilities in the project's label order. Thread-safe.
/// </summary>
public sealed class FerExpressionModel : IDisposable
{
    /// <summary>Side of the square grey input in pixels.</summary>
    public const int InputSize = 64;

    private const int Plane = InputSize * InputSize;

    // Keeps log(p) finite when the model rounds a class to exactly 0.
    /// <summary>Floor of a probability before its logarithm.</summary>
    public const float MinProbability = 1e-7f;

    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly string _outputName;
    private readonly long[] _inputShape; // without the batch dimension
    private readonly int _fixedBatch; // 0 when the batch dimension is symbolic
    private readonly int _maxBatch;

    /// <summary>Loads the model from <see cref="ModelFiles.FerExpression"/> or another path.</summary>
    /// <exception cref="ModelBundleException">The model does not have the expected input or output.</exception>
    public FerExpressionModel(OnnxSessionFactory sessions, string? modelPath = null, int maxBatch = 32)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        _maxBatch = maxBatch;
        var bytes = ModelFiles.Read(modelPath ?? ModelFiles.FerExpression);
        UpstreamSha256 = UpstreamModels.Sha256(bytes);
        _session = sessions.Create(bytes);
        try
        {
            var (inputName, input) = _session.InputMetadata.Single();
            var (outputName, output) = _session.OutputMetadata.First();
            var dims = input.Dimensions;
            var channelsLast = dims is [_, InputSize, InputSize, 1];
            var channelsFirst = dims is [_, 1, InputSize, InputSize];
            if (!channelsLast && !channelsFirst)
            {
                throw new ModelBundleException($"Expression model input '{inputName}' is [{string.Join(',', dims)}]; expected [b,64,64,1].");
            }

            if (output.Dimensions is not [_, EmotionLabels.Count])
            {
                throw new ModelBundleException($"Expression model output '{outputName}' is [{string.Join(',', output.Dimensions)}]; expected [b,7].");
            }

            // One grey channel: NHWC and NCHW hold the same bytes, so only the declared shape differs.
            _inputName = inputName;
            _outputName = outputName;
            _inputShape = channelsLast ? [InputSize, InputSize, 1] : [1, InputSize, InputSize];
            _fixedBatch = dims[0] > 0 ? dims[0] : 0;
        }
        catch (InvalidOperationException ex)
        {
            _session.Dispose();
            throw new ModelBundleException("Expression model must have exactly one input.", ex);
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <summary>Lower-case hex SHA-256 of the model file; bundles record it as <see cref="UpstreamModels.FerExpression"/>.</summary>
    public string UpstreamSha256 { get; }

    /// <summary>Class probabilities of each face (any size; stretched to 64×64 and made grey), in the project's label order.</summary>
    public float[][] Probabilities(IReadOnlyList<Image<Rgb24>> faces)
    {
        ArgumentNullException.ThrowIfNull(faces);
        var results = new float[faces.Count][];
        var chunk = _fixedBatch > 0 ? _fixedBatch : _maxBatch;
        for (var start = 0; start < faces.Count; start += chunk)
        {
            var count = Math.Min(chunk, faces.Count - start);
            var batch = _fixedBatch > 0 ? _fixedBatch : count;

            // Pooled: a batch of 8 faces is a 128 KB input, on the large object heap if new.
            var length = batch * Plane;
            var input = ArrayPool<float>.Shared.Rent(length);
            try
            {
                for (var i = 0; i < count; i++)
                {
                    Fill(faces[start + i], input, i * Plane);
                }

                // A fixed batch's unused rows are blank faces, as in a new array.
                input.AsSpan(count * Plane, length - (count * Plane)).Clear();
                using var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input.AsMemory(0, length), [batch, .. _inputShape]);
                using var runOptions = new RunOptions();
                using var outputs = _session.Run(runOptions, [_inputName], [value], [_outputName]);
                var output = outputs[0].GetTensorDataAsSpan<float>();
                for (var i = 0; i < count; i++)
                {
                    var modelOrder = output.Slice(i * EmotionLabels.Count, EmotionLabels.Count);
                    var projectOrder = new float[EmotionLabels.Count];
                    for (var k = 0; k < EmotionLabels.Count; k++)
                    {
                        projectOrder[(int)EmotionLabels.Fer2013ModelOutputOrder[k]] = modelOrder[k];
                    }

                    results[start + i] = projectOrder;
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(input);
            }
        }

        return results;
    }

    /// <summary>log(probability) of each face, in the project's label order: the class embedding of the expression path.</summary>
    public float[][] LogProbabilities(IReadOnlyList<Image<Rgb24>> faces)
    {
        var probabilities = Probabilities(faces);
        foreach (var p in probabilities)
        {
            for (var k = 0; k < p.Length; k++)
            {
                p[k] = MathF.Log(MathF.Max(p[k], MinProbability));
            }
        }

        return probabilities;
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    private static void Fill(Image<Rgb24> face, float[] input, int offset)
    {
        using var resized = face.Width == InputSize && face.Height == InputSize ? null : FaceImages.Square(face, InputSize);
        (resized ?? face).ProcessPixelRows(rows =>
        {
            for (var y = 0; y < InputSize; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < InputSize; x++)
                {
                    var p = row[x];

                    // The model was trained on grey in [-1, 1]: ITU-R 601 luma on [0, 1], then (g − 0.5)·2.
                    var grey = ((0.2989f * p.R) + (0.587f * p.G) + (0.114f * p.B)) / 255f;
                    input[offset + (y * InputSize) + x] = (grey - 0.5f) * 2f;
                }
            }
        });
    }
}
