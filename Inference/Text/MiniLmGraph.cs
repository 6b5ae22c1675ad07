using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;

namespace Emotion.Orleans.Inference;

/// <summary>
/// Where one transformer layer's parameters live in the packaged all-MiniLM-L6-v2 ONNX graph, and how
/// a fine-tuned copy of some layers (an <em>encoder patch</em>) is written into it. The graph names its
/// biases and layer-norm parameters after the original checkpoint (<c>encoder.layer.5.output.dense.bias</c>)
/// but its weight matrices by number; a weight is found as the MatMul whose output its bias is added to.
/// Weights are in the graph's MatMul layout, [in, out].
/// </summary>
public static class MiniLmGraph
{
    /// <summary>Transformer layers in the model.</summary>
    public const int LayerCount = 6;

    /// <summary>Metadata key of a patch: the SHA-256 of the upstream model it was trained against.</summary>
    public const string BaseSha256Key = "base-sha256";

    /// <summary>Metadata key of a patch: the fine-tuned layers, comma-separated.</summary>
    public const string LayersKey = "layers";

    private static readonly string[] Dense =
    [
        "attention.self.query",
        "attention.self.key",
        "attention.self.value",
        "attention.output.dense",
        "intermediate.dense",
        "output.dense",
    ];

    private static readonly string[] LayerNorms = ["attention.output.LayerNorm", "output.LayerNorm"];

    /// <summary>The parameter names of one layer, in a fixed order: each dense block's weight and bias, then each layer norm's weight and bias.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is not 0–5.</exception>
    public static IReadOnlyList<string> ParameterNames(int layer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, LayerCount);
        var prefix = string.Create(CultureInfo.InvariantCulture, $"encoder.layer.{layer}.");
        return [.. Dense.SelectMany(d => new[] { prefix + d + ".weight", prefix + d + ".bias" }), .. LayerNorms.SelectMany(n => new[] { prefix + n + ".weight", prefix + n + ".bias" })];
    }

    /// <summary>Maps each parameter of <paramref name="layer"/> (see <see cref="ParameterNames"/>) to its initializer in the graph.</summary>
    /// <exception cref="ModelBundleException">The graph does not have the expected structure.</exception>
    public static IReadOnlyDictionary<string, Onnx.TensorProto> LayerParameters(Onnx.GraphProto graph, int layer)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var producers = Producers(graph);

        var found = new Dictionary<string, Onnx.TensorProto>(StringComparer.Ordinal);
        foreach (var name in ParameterNames(layer))
        {
            if (!name.EndsWith(".weight", StringComparison.Ordinal) || name.Contains("LayerNorm", StringComparison.Ordinal))
            {
                found[name] = initializers.GetValueOrDefault(name) ?? throw new ModelBundleException($"The MiniLM graph lacks the initializer '{name}'.");
                continue;
            }

            var bias = name[..^".weight".Length] + ".bias";
            var matMul = MatMulOfBias(graph, producers, bias);
            found[name] = initializers.GetValueOrDefault(matMul.Input[1]) ?? throw new ModelBundleException($"The MatMul before '{bias}' does not read an initializer.");
        }

        return found;
    }

    /// <summary>The name of the tensor that enters <paramref name="layer"/> (the previous layer's output, or the embeddings' for layer 0).</summary>
    /// <exception cref="ModelBundleException">The graph does not have the expected structure.</exception>
    public static string LayerInput(Onnx.GraphProto graph, int layer)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return MatMulOfBias(graph, Producers(graph), ParameterNames(layer)[1]).Input[0];
    }

    /// <summary>
    /// Writes the fine-tuned parameters of <paramref name="patch"/> into <paramref name="model"/>. Each
    /// patch tensor must name a layer parameter (<see cref="ParameterNames"/>) and have its shape; float16
    /// tensors are widened to the graph's float32.
    /// </summary>
    /// <param name="model">The upstream MiniLM ONNX model's bytes.</param>
    /// <param name="modelSha256">Lower-case hex SHA-256 of <paramref name="model"/>.</param>
    /// <param name="patch">The patch file's bytes (an ONNX model holding only initializers).</param>
    /// <returns>The patched model's bytes.</returns>
    /// <exception cref="ModelBundleException">
    /// The patch is not an ONNX file, was made for another upstream model, or names a parameter the
    /// model lacks or gives it another shape.
    /// </exception>
    public static byte[] Apply(byte[] model, string modelSha256, byte[] patch)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(patch);
        ArgumentNullException.ThrowIfNull(modelSha256);
        var patchProto = Parse(patch, "text encoder patch");
        var baseSha = patchProto.MetadataProps.FirstOrDefault(p => p.Key == BaseSha256Key)?.Value;
        if (!string.Equals(baseSha, modelSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelBundleException($"The text encoder patch was trained against MiniLM {baseSha ?? "(unrecorded)"}, but the packaged model is {modelSha256}.");
        }

        var proto = Parse(model, "MiniLM model");
        var targets = new Dictionary<string, Onnx.TensorProto>(StringComparer.Ordinal);
        for (var layer = 0; layer < LayerCount; layer++)
        {
            foreach (var (name, tensor) in LayerParameters(proto.Graph, layer))
            {
                targets[name] = tensor;
            }
        }

        if (patchProto.Graph is null || patchProto.Graph.Initializer.Count == 0)
        {
            throw new ModelBundleException("The text encoder patch holds no parameters.");
        }

        foreach (var source in patchProto.Graph.Initializer)
        {
            if (!targets.TryGetValue(source.Name, out var target))
            {
                throw new ModelBundleException($"The text encoder patch names '{source.Name}', which is not a MiniLM layer parameter.");
            }

            if (!source.Dims.SequenceEqual(target.Dims))
            {
                throw new ModelBundleException($"The text encoder patch gives '{source.Name}' shape [{string.Join(",", source.Dims)}]; the model's is [{string.Join(",", target.Dims)}].");
            }

            target.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(FloatValues(source).AsSpan()));
            target.FloatData.Clear();
        }

        return proto.ToByteArray();
    }

    /// <summary>Builds a patch file from parameter values (stored as float16, about 3.5 MB per layer).</summary>
    /// <param name="baseSha256">SHA-256 of the upstream model the values were trained from.</param>
    /// <param name="layers">The fine-tuned layers.</param>
    /// <param name="parameters">Parameter name → (shape, values) in the graph's layout.</param>
    /// <returns>The patch file's bytes.</returns>
    public static byte[] CreatePatch(string baseSha256, IReadOnlyList<int> layers, IReadOnlyDictionary<string, (long[] Shape, float[] Values)> parameters)
    {
        ArgumentNullException.ThrowIfNull(baseSha256);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(parameters);
        var graph = new Onnx.GraphProto { Name = "minilm-encoder-patch" };
        foreach (var (name, (shape, values)) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var halves = new Half[values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                halves[i] = (Half)values[i];
            }

            var tensor = new Onnx.TensorProto { Name = name, DataType = (int)Onnx.TensorProto.Types.DataType.Float16 };
            tensor.Dims.AddRange(shape);
            tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(halves.AsSpan()));
            graph.Initializer.Add(tensor);
        }

        var model = new Onnx.ModelProto { IrVersion = 7, ProducerName = "emotion-train", Graph = graph };
        model.OpsetImport.Add(new Onnx.OperatorSetIdProto { Domain = string.Empty, Version = 13 });
        model.MetadataProps.Add(new Onnx.StringStringEntryProto { Key = BaseSha256Key, Value = baseSha256 });
        model.MetadataProps.Add(new Onnx.StringStringEntryProto { Key = LayersKey, Value = string.Join(",", layers.Select(l => l.ToString(CultureInfo.InvariantCulture))) });
        return model.ToByteArray();
    }

    /// <summary>The values of a float32 or float16 initializer as float32.</summary>
    /// <exception cref="ModelBundleException">Another element type, or a size that does not match the shape.</exception>
    public static float[] FloatValues(Onnx.TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var count = tensor.Dims.Aggregate(1L, (a, d) => a * d);
        float[] values;
        switch ((Onnx.TensorProto.Types.DataType)tensor.DataType)
        {
            case Onnx.TensorProto.Types.DataType.Float:
                values = tensor.RawData.Length > 0
                    ? MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray()
                    : [.. tensor.FloatData];
                break;
            case Onnx.TensorProto.Types.DataType.Float16:
                var halves = MemoryMarshal.Cast<byte, Half>(tensor.RawData.Span);
                values = new float[halves.Length];
                for (var i = 0; i < halves.Length; i++)
                {
                    values[i] = (float)halves[i];
                }

                break;
            default:
                throw new ModelBundleException($"Tensor '{tensor.Name}' has element type {tensor.DataType}; float32 or float16 expected.");
        }

        return values.Length == count
            ? values
            : throw new ModelBundleException($"Tensor '{tensor.Name}' holds {values.Length} values for shape [{string.Join(",", tensor.Dims)}].");
    }

    /// <summary>Each tensor name → the node that outputs it.</summary>
    private static Dictionary<string, Onnx.NodeProto> Producers(Onnx.GraphProto graph)
    {
        var producers = new Dictionary<string, Onnx.NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output)
            {
                producers[output] = node;
            }
        }

        return producers;
    }

    private static Onnx.NodeProto MatMulOfBias(Onnx.GraphProto graph, Dictionary<string, Onnx.NodeProto> producers, string bias)
    {
        var add = graph.Node.FirstOrDefault(n => n.OpType == "Add" && n.Input.Contains(bias))
            ?? throw new ModelBundleException($"No Add node reads '{bias}' in the MiniLM graph.");
        var other = add.Input.First(i => i != bias);
        return producers.TryGetValue(other, out var matMul) && matMul.OpType == "MatMul" && matMul.Input.Count == 2
            ? matMul
            : throw new ModelBundleException($"'{bias}' is not added to a MatMul's output in the MiniLM graph.");
    }

    private static Onnx.ModelProto Parse(byte[] bytes, string what)
    {
        try
        {
            return Onnx.ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new ModelBundleException($"The {what} is not an ONNX file.", ex);
        }
    }
}
