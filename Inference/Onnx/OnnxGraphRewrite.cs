using Google.Protobuf;

namespace Emotion.Orleans.Inference;

/// <summary>Rewrites of ONNX graphs applied before a session is created over them.</summary>
public static class OnnxGraphRewrite
{
    /// <summary>
    /// Rewrites every batch dimension fixed at 1 (inputs, outputs, intermediate shapes) to the
    /// symbol "batch", so one run takes any number of items. Graphs with a node that can fix the
    /// batch elsewhere (Reshape, Flatten, Gemm) are refused rather than rewritten wrongly.
    /// </summary>
    /// <param name="model">The ONNX model file's bytes.</param>
    /// <param name="modelName">The model's name in error messages, e.g. "ResNet18".</param>
    /// <returns>The rewritten model's bytes.</returns>
    /// <exception cref="ModelBundleException">The bytes are not an ONNX model, or its batch cannot be made symbolic.</exception>
    public static byte[] WithSymbolicBatch(byte[] model, string modelName)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        Onnx.ModelProto proto;
        try
        {
            proto = Onnx.ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new ModelBundleException($"The {modelName} file is not an ONNX model.", ex);
        }

        var graph = proto.Graph;
        if (graph.Node.Any(n => n.OpType is "Reshape" or "Flatten" or "Gemm"))
        {
            throw new ModelBundleException($"{modelName} model contains a shape-fixing node; its batch dimension cannot be made symbolic.");
        }

        foreach (var info in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo))
        {
            var dims = info.Type?.TensorType?.Shape?.Dim;
            if (dims is { Count: > 0 } && dims[0].DimValue == 1)
            {
                dims[0].DimParam = "batch";
            }
        }

        return proto.ToByteArray();
    }
}
