using Microsoft.ML.OnnxRuntime;

namespace Emotion.Orleans.Inference.Benchmarks;

/// <summary>
/// An ONNX model with one float input, run bare: <c>InferenceSession.Run</c> on input tensors
/// prepared once per batch size, in the same chunks the product's wrapper uses. The input values
/// are a fixed pattern: these convolutional models do the same work whatever the pixels or
/// coefficients are, so the time matches a run on real input of the same shape.
/// </summary>
internal sealed class RawModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly long[] _itemShape;
    private readonly Dictionary<int, (float[] Data, OrtValue Value)> _inputs = [];

    public RawModel(InferenceSession session)
    {
        _session = session;
        var (name, input) = session.InputMetadata.Single();
        if (input.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float)
        {
            throw new InvalidOperationException($"Model input '{name}' is {input.ElementDataType}; the raw runner feeds float tensors.");
        }

        _inputNames = [name];
        _outputNames = [.. session.OutputNames];
        _itemShape = [.. input.Dimensions.Skip(1).Select(d => (long)d)];
        if (_itemShape.Any(d => d <= 0))
        {
            throw new InvalidOperationException($"Model input '{name}' has a symbolic non-batch dimension: [{string.Join(',', input.Dimensions)}].");
        }

        FixedBatch = input.Dimensions[0] > 0 ? input.Dimensions[0] : 0;
    }

    /// <summary>The batch the graph fixes; 0 when it is symbolic.</summary>
    public int FixedBatch { get; }

    /// <summary>Input shape of one item, batch dimension left out.</summary>
    public IReadOnlyList<long> ItemShape => _itemShape;

    /// <summary>
    /// Runs <paramref name="items"/> items the way a wrapper with chunk limit <paramref name="maxChunk"/>
    /// does: chunks of at most that many, or of the fixed batch (padded) when the graph fixes it.
    /// </summary>
    public void Run(int items, int maxChunk)
    {
        var chunk = FixedBatch > 0 ? FixedBatch : maxChunk;
        for (var start = 0; start < items; start += chunk)
        {
            var count = FixedBatch > 0 ? FixedBatch : Math.Min(chunk, items - start);
            using var options = new RunOptions();
            using var outputs = _session.Run(options, _inputNames, [Input(count)], _outputNames);
        }
    }

    public void Dispose()
    {
        foreach (var (_, value) in _inputs.Values)
        {
            value.Dispose();
        }

        _session.Dispose();
    }

    private OrtValue Input(int count)
    {
        if (!_inputs.TryGetValue(count, out var input))
        {
            var perItem = _itemShape.Aggregate(1L, (a, d) => a * d);
            var data = new float[count * perItem];
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = MathF.Sin(i * 0.37f);
            }

            input = (data, OrtValue.CreateTensorValueFromMemory(data, [count, .. _itemShape]));
            _inputs[count] = input;
        }

        return input.Value;
    }
}
