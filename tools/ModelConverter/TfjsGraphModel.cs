using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Emotion.Orleans.ModelConverter;

/// <summary>
/// A TF.js graph model as stored on disk: the TensorFlow GraphDef in <c>model.json</c> and the
/// constant values in its weight shards (concatenated in manifest order, little-endian).
/// </summary>
public sealed class TfjsGraphModel
{
    private TfjsGraphModel(IReadOnlyList<TfNode> nodes, IReadOnlyDictionary<string, TfConstant> constants, IReadOnlyDictionary<string, string> signatureOutputs)
    {
        Nodes = nodes;
        Constants = constants;
        SignatureOutputs = signatureOutputs;
    }

    /// <summary>Graph nodes in file order.</summary>
    public IReadOnlyList<TfNode> Nodes { get; }

    /// <summary>Constant tensors by node name (weights, paddings, shapes, axes).</summary>
    public IReadOnlyDictionary<string, TfConstant> Constants { get; }

    /// <summary>Output node names of the saved-model signature (node name to signature key), when the file has one.</summary>
    public IReadOnlyDictionary<string, string> SignatureOutputs { get; }

    /// <summary>Reads <c>model.json</c> and the weight shards it names from the same folder.</summary>
    public static TfjsGraphModel Load(string modelJsonPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelJsonPath);
        var folder = Path.GetDirectoryName(Path.GetFullPath(modelJsonPath))!;
        using var document = JsonDocument.Parse(File.ReadAllBytes(modelJsonPath));
        return Parse(document.RootElement, path => File.ReadAllBytes(Path.Combine(folder, path)));
    }

    /// <summary>Parses a model.json document; <paramref name="readShard"/> returns the bytes of a weight shard path.</summary>
    public static TfjsGraphModel Parse(JsonElement root, Func<string, byte[]> readShard)
    {
        ArgumentNullException.ThrowIfNull(readShard);
        var format = root.TryGetProperty("format", out var f) ? f.GetString() : null;
        if (format != "graph-model")
        {
            throw new NotSupportedException($"Only TF.js graph models are supported, not format '{format}'.");
        }

        var nodes = new List<TfNode>();
        foreach (var node in root.GetProperty("modelTopology").GetProperty("node").EnumerateArray())
        {
            nodes.Add(TfNode.Parse(node));
        }

        var constants = new Dictionary<string, TfConstant>(StringComparer.Ordinal);
        foreach (var group in root.GetProperty("weightsManifest").EnumerateArray())
        {
            var bytes = Concat(group.GetProperty("paths").EnumerateArray().Select(p => readShard(p.GetString()!)));
            var offset = 0;
            foreach (var weight in group.GetProperty("weights").EnumerateArray())
            {
                var constant = ReadWeight(weight, bytes, ref offset);
                constants.Add(constant.Name, constant);
            }

            if (offset != bytes.Length)
            {
                throw new InvalidDataException($"Weight shards hold {bytes.Length} bytes but the manifest describes {offset}.");
            }
        }

        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("userDefinedMetadata", out var meta)
            && meta.TryGetProperty("signature", out var signature)
            && signature.TryGetProperty("outputs", out var signatureOutputs))
        {
            foreach (var output in signatureOutputs.EnumerateObject())
            {
                outputs[TfNode.NodeName(output.Value.GetProperty("name").GetString()!)] = output.Name;
            }
        }

        return new TfjsGraphModel(nodes, constants, outputs);
    }

    private static byte[] Concat(IEnumerable<byte[]> shards)
    {
        using var stream = new MemoryStream();
        foreach (var shard in shards)
        {
            stream.Write(shard);
        }

        return stream.ToArray();
    }

    private static TfConstant ReadWeight(JsonElement weight, byte[] bytes, ref int offset)
    {
        var name = weight.GetProperty("name").GetString()!;
        if (weight.TryGetProperty("quantization", out _))
        {
            throw new NotSupportedException($"Weight '{name}' is quantized; only float32/int32 weights are supported.");
        }

        var shape = weight.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        var count = shape.Aggregate(1, (a, b) => a * b);
        var dtype = weight.GetProperty("dtype").GetString();
        if (offset + (count * 4) > bytes.Length)
        {
            throw new InvalidDataException($"Weight '{name}' runs past the end of its shards.");
        }

        var span = bytes.AsSpan(offset, count * 4);
        offset += count * 4;
        switch (dtype)
        {
            case "float32":
                var floats = new float[count];
                for (var i = 0; i < count; i++)
                {
                    floats[i] = BinaryPrimitives.ReadSingleLittleEndian(span[(i * 4)..]);
                }

                return new TfConstant(name, shape, floats, null);
            case "int32":
                var ints = new int[count];
                for (var i = 0; i < count; i++)
                {
                    ints[i] = BinaryPrimitives.ReadInt32LittleEndian(span[(i * 4)..]);
                }

                return new TfConstant(name, shape, null, ints);
            default:
                throw new NotSupportedException($"Weight '{name}' has dtype '{dtype}'; only float32 and int32 are supported.");
        }
    }
}

/// <summary>A constant tensor of a TF.js graph model: float32 or int32 values, row-major.</summary>
/// <param name="Name">Node name.</param>
/// <param name="Shape">TensorFlow shape.</param>
/// <param name="Floats">Values when the dtype is float32.</param>
/// <param name="Ints">Values when the dtype is int32.</param>
public sealed record TfConstant(string Name, int[] Shape, float[]? Floats, int[]? Ints)
{
    /// <summary>The float32 values; throws when the constant is not float32.</summary>
    public float[] FloatValues => Floats ?? throw new NotSupportedException($"Constant '{Name}' is not float32.");

    /// <summary>The int32 values; throws when the constant is not int32.</summary>
    public int[] IntValues => Ints ?? throw new NotSupportedException($"Constant '{Name}' is not int32.");
}

/// <summary>One node of the TensorFlow GraphDef inside model.json.</summary>
/// <param name="Name">Node name.</param>
/// <param name="Op">TensorFlow op type.</param>
/// <param name="Inputs">Data inputs as node names (output index suffixes and control inputs removed).</param>
/// <param name="Attributes">Raw attribute values (TF's AttrValue as JSON).</param>
public sealed record TfNode(string Name, string Op, IReadOnlyList<string> Inputs, IReadOnlyDictionary<string, JsonElement> Attributes)
{
    /// <summary>Parses a node of <c>modelTopology.node</c>.</summary>
    public static TfNode Parse(JsonElement node)
    {
        var inputs = new List<string>();
        if (node.TryGetProperty("input", out var inputArray))
        {
            foreach (var input in inputArray.EnumerateArray())
            {
                var text = input.GetString()!;
                if (text.StartsWith('^'))
                {
                    continue; // control dependency: no data flows
                }

                var colon = text.LastIndexOf(':');
                if (colon > 0 && text[(colon + 1)..] != "0")
                {
                    throw new NotSupportedException($"Node '{node.GetProperty("name").GetString()}' reads output {text}; only single-output ops are supported.");
                }

                inputs.Add(NodeName(text));
            }
        }

        var attributes = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (node.TryGetProperty("attr", out var attr))
        {
            foreach (var a in attr.EnumerateObject())
            {
                attributes[a.Name] = a.Value.Clone();
            }
        }

        return new TfNode(node.GetProperty("name").GetString()!, node.GetProperty("op").GetString()!, inputs, attributes);
    }

    /// <summary>Strips a <c>:0</c> output suffix.</summary>
    public static string NodeName(string tensorName)
    {
        ArgumentNullException.ThrowIfNull(tensorName);
        return tensorName.EndsWith(":0", StringComparison.Ordinal) ? tensorName[..^2] : tensorName;
    }

    /// <summary>A string attribute (stored base64 in model.json), or null when absent.</summary>
    public string? StringAttribute(string name) =>
        Attributes.TryGetValue(name, out var value) && value.TryGetProperty("s", out var s)
            ? Encoding.UTF8.GetString(s.GetBytesFromBase64())
            : null;

    /// <summary>An integer-list attribute (TF stores int64 as strings), or null when absent.</summary>
    public int[]? IntListAttribute(string name)
    {
        if (!Attributes.TryGetValue(name, out var value) || !value.TryGetProperty("list", out var list))
        {
            return null;
        }

        return list.TryGetProperty("i", out var items)
            ? items.EnumerateArray().Select(i => i.ValueKind == JsonValueKind.String ? int.Parse(i.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : i.GetInt32()).ToArray()
            : [];
    }

    /// <summary>A string-list attribute (base64 items), or an empty list when absent.</summary>
    public string[] StringListAttribute(string name)
    {
        if (!Attributes.TryGetValue(name, out var value) || !value.TryGetProperty("list", out var list) || !list.TryGetProperty("s", out var items))
        {
            return [];
        }

        return items.EnumerateArray().Select(s => Encoding.UTF8.GetString(s.GetBytesFromBase64())).ToArray();
    }

    /// <summary>A boolean attribute, or <paramref name="fallback"/> when absent.</summary>
    public bool BoolAttribute(string name, bool fallback) =>
        Attributes.TryGetValue(name, out var value) && value.TryGetProperty("b", out var b) ? b.GetBoolean() : fallback;

    /// <summary>An integer attribute, or <paramref name="fallback"/> when absent.</summary>
    public int IntAttribute(string name, int fallback)
    {
        if (!Attributes.TryGetValue(name, out var value) || !value.TryGetProperty("i", out var i))
        {
            return fallback;
        }

        return i.ValueKind == JsonValueKind.String ? int.Parse(i.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : i.GetInt32();
    }

    /// <summary>The dimensions of a <c>shape</c> attribute (-1 for unknown), or null when absent.</summary>
    public int[]? ShapeAttribute(string name)
    {
        if (!Attributes.TryGetValue(name, out var value) || !value.TryGetProperty("shape", out var shape))
        {
            return null;
        }

        if (!shape.TryGetProperty("dim", out var dims))
        {
            return [];
        }

        return dims.EnumerateArray()
            .Select(d => d.TryGetProperty("size", out var size)
                ? (size.ValueKind == JsonValueKind.String ? int.Parse(size.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : size.GetInt32())
                : -1)
            .ToArray();
    }
}
