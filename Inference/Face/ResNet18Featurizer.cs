using Google.Protobuf;
using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Orleans.Inference;

/// <summary>
/// ImageNet ResNet18 (the ML.NET DnnImageFeaturizer export) as a 512-d image featurizer.
/// The shipped file fixes the batch at 1; at load time the batch dimension is made symbolic so
/// that many crops run in one call. Preprocessing is the package's own: RGB 0–255 at 224×224,
/// reordered to BGR, minus the package's per-pixel ImageNet mean image. Thread-safe.
/// </summary>
public sealed class ResNet18Featurizer : IDisposable
{
    /// <summary>Width of the feature vector.</summary>
    public const int Dimension = 512;

    /// <summary>Side of the square input in pixels.</summary>
    public const int InputSize = 224;

    private const int Plane = InputSize * InputSize;

    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly string _outputName;
    private readonly float[] _meanImage; // [3, 224, 224], BGR planes
    private readonly int _maxBatch;

    /// <summary>Loads the model from <see cref="ModelFiles.ResNet18"/> (or another path) and its mean image.</summary>
    /// <param name="sessions">Creates the model session.</param>
    /// <param name="modelPath">ResNet18.onnx; defaults to <see cref="ModelFiles.ResNet18"/>.</param>
    /// <param name="preprocessPath">The package's ResNetPreprocess.onnx, which holds the mean image;
    /// defaults to its place beside the model in the package layout.</param>
    /// <param name="maxBatch">Most crops per model run.</param>
    /// <exception cref="FileNotFoundException">The model file is missing.</exception>
    /// <exception cref="ModelBundleException">A file is not the expected model.</exception>
    public ResNet18Featurizer(OnnxSessionFactory sessions, string? modelPath = null, string? preprocessPath = null, int maxBatch = 32)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        modelPath ??= ModelFiles.ResNet18;
        preprocessPath ??= Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(modelPath)))!, "ResNetPrepOnnx", "ResNetPreprocess.onnx");
        _maxBatch = maxBatch;
        _meanImage = ReadMeanImage(preprocessPath);

        var bytes = ModelFiles.Read(modelPath);
        UpstreamSha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        // No Reshape or Flatten in this export, so the rewrite frees the batch everywhere.
        _session = sessions.Create(OnnxGraphRewrite.WithSymbolicBatch(bytes, "ResNet18"));
        try
        {
            _inputName = _session.InputNames[0];
            _outputName = _session.OutputNames[0];
            var output = _session.OutputMetadata[_outputName].Dimensions;
            if (output.Length < 2 || output[1] != Dimension || output.Skip(2).Any(d => d != 1))
            {
                throw new ModelBundleException($"ResNet18 output '{_outputName}' is [{string.Join(',', output)}]; expected [b,{Dimension}] or [b,{Dimension},1,1].");
            }
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <summary>Lower-case hex SHA-256 of the original model file's bytes (before the batch rewrite).</summary>
    public string UpstreamSha256 { get; }

    /// <summary>The 512 features of each image (any size; stretched to 224×224), in input order.</summary>
    public float[][] Featurize(IReadOnlyList<Image<Rgb24>> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var features = new float[images.Count][];
        for (var start = 0; start < images.Count; start += _maxBatch)
        {
            var count = Math.Min(_maxBatch, images.Count - start);
            var input = new float[count * 3 * Plane];
            for (var i = 0; i < count; i++)
            {
                Fill(images[start + i], input, i * 3 * Plane);
            }

            using var value = OrtValue.CreateTensorValueFromMemory(input, [count, 3, InputSize, InputSize]);
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, [_inputName], [value], [_outputName]);
            var output = outputs[0].GetTensorDataAsSpan<float>();
            for (var i = 0; i < count; i++)
            {
                features[start + i] = output.Slice(i * Dimension, Dimension).ToArray();
            }
        }

        return features;
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    private void Fill(Image<Rgb24> image, float[] input, int offset)
    {
        using var resized = image.Width == InputSize && image.Height == InputSize ? null : FaceImages.Square(image, InputSize);
        var mean = _meanImage;
        (resized ?? image).ProcessPixelRows(rows =>
        {
            for (var y = 0; y < InputSize; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < InputSize; x++)
                {
                    var p = row[x];
                    var pixel = (y * InputSize) + x;
                    input[offset + pixel] = p.B - mean[pixel];
                    input[offset + Plane + pixel] = p.G - mean[Plane + pixel];
                    input[offset + (2 * Plane) + pixel] = p.R - mean[(2 * Plane) + pixel];
                }
            }
        });
    }

    private static float[] ReadMeanImage(string preprocessPath)
    {
        if (!File.Exists(preprocessPath))
        {
            throw new ModelBundleException($"ResNet18 preprocessing model (mean image) not found at '{preprocessPath}'.");
        }

        Onnx.GraphProto graph;
        try
        {
            graph = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(preprocessPath)).Graph;
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new ModelBundleException($"ResNet18 preprocessing file '{preprocessPath}' is not an ONNX model.", ex);
        }

        var mean = graph.Initializer.FirstOrDefault(t => t.Name == "MeanImage")
            ?? throw new ModelBundleException("ResNet18 preprocessing model has no MeanImage initializer.");
        float[] values = mean.FloatData.Count > 0
            ? [.. mean.FloatData]
            : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(mean.RawData.Span).ToArray();
        if (values.Length != 3 * Plane)
        {
            throw new ModelBundleException($"ResNet18 mean image has {values.Length} values; expected 3×224×224.");
        }

        return values;
    }
}
