using Emotion.Orleans.Inference;
using Google.Protobuf;
using Onnx;

namespace Emotion.Orleans.Training;

/// <summary>
/// Writes a trained <see cref="SpeechCnn"/> as an ONNX graph (opset 13): input <c>mfcc</c>
/// [b, 1, 40, 300], outputs <c>embedding</c> [b, 128] and <c>logits</c> [b, 7], batch dimension
/// symbolic. BatchNorm (eval statistics) is folded into the convolution weights and biases;
/// dropout is the identity at inference.
/// </summary>
public static class SpeechCnnOnnxExporter
{
    /// <summary>Name of the input.</summary>
    public const string InputName = "mfcc";

    /// <summary>Name of the embedding output.</summary>
    public const string EmbeddingName = "embedding";

    /// <summary>Name of the logits output.</summary>
    public const string LogitsName = "logits";

    private const string BatchDim = "batch";

    /// <summary>Builds the ONNX model bytes; <paramref name="normalization"/> is recorded in the model's metadata.</summary>
    public static byte[] Export(SpeechCnn model, MfccNormalization normalization = MfccNormalization.Utterance)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = new GraphProto { Name = "speech-cnn" };
        graph.Input.Add(TensorValue(InputName, [null, 1, MfccFeatures.Coefficients, MfccFeatures.Frames]));
        graph.Output.Add(TensorValue(EmbeddingName, [null, SpeechCnn.EmbeddingSize]));
        graph.Output.Add(TensorValue(LogitsName, [null, EmotionLabels.Count]));

        var x = InputName;
        for (var i = 0; i < model.Convolutions.Count; i++)
        {
            var (weights, bias, shape) = FoldBatchNorm(model, i);
            graph.Initializer.Add(Tensor($"conv{i}.weight", shape, weights));
            graph.Initializer.Add(Tensor($"conv{i}.bias", [shape[0]], bias));
            var conv = Node("Conv", $"conv{i}", [x, $"conv{i}.weight", $"conv{i}.bias"], $"conv{i}.out");
            var block = SpeechCnn.Blocks[i];
            conv.Attribute.Add(Ints("kernel_shape", block.KernelHeight, block.KernelWidth));
            conv.Attribute.Add(Ints("pads", 0, block.KernelWidth / 2, 0, block.KernelWidth / 2));
            conv.Attribute.Add(Ints("strides", 1, 1));
            graph.Node.Add(conv);
            graph.Node.Add(Node("Relu", $"relu{i}", [$"conv{i}.out"], $"relu{i}.out"));
            var pool = Node("MaxPool", $"pool{i}", [$"relu{i}.out"], $"pool{i}.out");
            pool.Attribute.Add(Ints("kernel_shape", 1, block.PoolWidth));
            pool.Attribute.Add(Ints("strides", 1, block.PoolWidth));
            graph.Node.Add(pool);
            x = $"pool{i}.out";
        }

        graph.Node.Add(Node("GlobalAveragePool", "gap", [x], "gap.out"));
        var flatten = Node("Flatten", "flatten", ["gap.out"], "features");
        flatten.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        graph.Node.Add(flatten);

        AddLinear(graph, "embed", model.Embed, "features", "embed.out");
        graph.Node.Add(Node("Relu", "embed.relu", ["embed.out"], EmbeddingName));
        AddLinear(graph, "classify", model.Classify, EmbeddingName, LogitsName);

        var proto = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "Emotion.Orleans.Training",
            ProducerVersion = "1",
            Graph = graph,
        };
        proto.MetadataProps.Add(new StringStringEntryProto { Key = SpeechEmbedder.NormalizationMetadataKey, Value = SpeechEmbedder.NormalizationName(normalization) });
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 13 });
        using var stream = new MemoryStream();
        proto.WriteTo(stream);
        return stream.ToArray();
    }

    /// <summary>Folds BatchNorm i into convolution i: w' = w·γ/√(σ²+ε), b' = β − μ·γ/√(σ²+ε).</summary>
    private static (float[] Weights, float[] Bias, long[] Shape) FoldBatchNorm(SpeechCnn model, int index)
    {
        var conv = model.Convolutions[index];
        var norm = model.Norms[index];
        var shape = conv.weight!.shape;
        var weights = conv.weight.detach().cpu().data<float>().ToArray();
        var gamma = norm.weight!.detach().cpu().data<float>().ToArray();
        var beta = norm.bias!.detach().cpu().data<float>().ToArray();
        var mean = norm.running_mean!.detach().cpu().data<float>().ToArray();
        var variance = norm.running_var!.detach().cpu().data<float>().ToArray();
        var perChannel = weights.Length / (int)shape[0];
        var bias = new float[shape[0]];
        for (var c = 0; c < shape[0]; c++)
        {
            var factor = gamma[c] / Math.Sqrt(variance[c] + SpeechCnn.BatchNormEpsilon);
            for (var k = 0; k < perChannel; k++)
            {
                weights[(c * perChannel) + k] = (float)(weights[(c * perChannel) + k] * factor);
            }

            bias[c] = (float)(beta[c] - (mean[c] * factor));
        }

        return (weights, bias, shape);
    }

    private static void AddLinear(GraphProto graph, string name, TorchSharp.Modules.Linear linear, string input, string output)
    {
        var weight = linear.weight!;
        graph.Initializer.Add(Tensor($"{name}.weight", weight.shape, weight.detach().cpu().data<float>().ToArray()));
        graph.Initializer.Add(Tensor($"{name}.bias", [weight.shape[0]], linear.bias!.detach().cpu().data<float>().ToArray()));
        var gemm = Node("Gemm", name, [input, $"{name}.weight", $"{name}.bias"], output);
        gemm.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        graph.Node.Add(gemm);
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static TensorProto Tensor(string name, long[] shape, float[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(shape);
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian.");
        }

        tensor.RawData = ByteString.CopyFrom(bytes);
        return tensor;
    }

    private static ValueInfoProto TensorValue(string name, long?[] shape)
    {
        var tensorShape = new TensorShapeProto();
        foreach (var dim in shape)
        {
            tensorShape.Dim.Add(dim is { } value
                ? new TensorShapeProto.Types.Dimension { DimValue = value }
                : new TensorShapeProto.Types.Dimension { DimParam = BatchDim });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = tensorShape },
            },
        };
    }
}
