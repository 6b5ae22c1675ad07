using Google.Protobuf;

namespace Emotion.Orleans.Inference.Benchmarks;

/// <summary>Model rewrites the raw runs need to see the same graph the product runs.</summary>
internal static class OnnxGraphs
{
    /// <summary>
    /// Every dimension 0 fixed at 1 made the symbol "batch": the rewrite <see cref="ResNet18Featurizer"/>
    /// applies to the shipped ResNet18 when it loads, repeated here because the raw run needs its
    /// own session over the same graph.
    /// </summary>
    public static byte[] WithSymbolicBatch(byte[] modelBytes)
    {
        var model = Onnx.ModelProto.Parser.ParseFrom(modelBytes);
        var graph = model.Graph;
        foreach (var info in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo))
        {
            var dims = info.Type?.TensorType?.Shape?.Dim;
            if (dims is { Count: > 0 } && dims[0].DimValue == 1)
            {
                dims[0].DimParam = "batch";
            }
        }

        return model.ToByteArray();
    }
}
