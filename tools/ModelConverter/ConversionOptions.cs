namespace Emotion.Orleans.ModelConverter;

/// <summary>What the converted ONNX model exposes and records about its source.</summary>
public sealed class ConversionOptions
{
    /// <summary>ONNX name of the (single) graph input.</summary>
    public string InputName { get; init; } = "input";

    /// <summary>
    /// Graph outputs in ONNX order: TF node name (e.g. <c>Identity_2</c>) to ONNX output name.
    /// Empty: the saved-model signature's outputs, ordered by node name, keeping their names.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Outputs { get; init; } = [];

    /// <summary>Make a fixed batch dimension of 1 symbolic (an unknown batch in the source always is).</summary>
    public bool SymbolicBatch { get; init; }

    /// <summary>Name of the symbolic batch dimension.</summary>
    public string BatchDimension { get; init; } = "batch";

    /// <summary>ONNX graph name.</summary>
    public string GraphName { get; init; } = "graph";

    /// <summary>Model doc string (what the model is, where it comes from).</summary>
    public string? DocString { get; init; }

    /// <summary>Model metadata properties, written in key order.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
