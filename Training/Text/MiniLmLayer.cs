using Emotion.Orleans.Inference;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Emotion.Orleans.Training;

/// <summary>
/// One BERT transformer layer of all-MiniLM-L6-v2 (384 wide, 12 heads, 1536 intermediate, exact GELU,
/// post-layer-norm), holding its parameters under the ONNX graph's names and layout
/// (<see cref="MiniLmGraph.ParameterNames"/>; weights [in, out]) so they go back into the graph unchanged.
/// </summary>
public sealed class MiniLmLayer : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>Hidden width.</summary>
    public const int Width = MiniLmEncoder.EmbeddingDimension;

    /// <summary>Attention heads.</summary>
    public const int Heads = 12;

    /// <summary>Layer-norm epsilon of the checkpoint.</summary>
    public const double LayerNormEpsilon = 1e-12;

    /// <summary>What the graph adds to the attention scores of padding positions.</summary>
    public const float MaskedScore = -10000f;

    private readonly ParameterDict _values = new();
    private readonly IReadOnlyList<string> _names;
    private readonly double _dropout;

    /// <summary>Creates the layer from the graph's values.</summary>
    /// <param name="layer">The layer's index in the model (0–5).</param>
    /// <param name="values">Name → (shape, values) of every parameter of the layer.</param>
    /// <param name="dropout">Dropout on the attention and feed-forward outputs while training (the checkpoint's is 0.1).</param>
    public MiniLmLayer(int layer, IReadOnlyDictionary<string, (long[] Shape, float[] Values)> values, double dropout = 0.1)
        : base($"{nameof(MiniLmLayer)}{layer}")
    {
        ArgumentNullException.ThrowIfNull(values);
        Layer = layer;
        _dropout = dropout;
        _names = MiniLmGraph.ParameterNames(layer);
        foreach (var name in _names)
        {
            var (shape, data) = values[name];
            _values.Add((Key(name), new Parameter(tensor(data, shape))));
        }

        RegisterComponents();
    }

    /// <summary>The layer's index in the model.</summary>
    public int Layer { get; }

    /// <summary>The current values under the graph's names, for a patch.</summary>
    public IReadOnlyDictionary<string, (long[] Shape, float[] Values)> Values() =>
        _names.ToDictionary(n => n, n => { var p = P(n); return (p.shape, p.detach().cpu().data<float>().ToArray()); }, StringComparer.Ordinal);

    /// <summary>Runs the layer.</summary>
    /// <param name="hidden">[b, s, 384] input.</param>
    /// <param name="mask">[b, s] float: 1 for real tokens, 0 for padding.</param>
    /// <returns>[b, s, 384] output.</returns>
    public override Tensor forward(Tensor hidden, Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(mask);
        var b = hidden.shape[0];
        var s = hidden.shape[1];
        const int headWidth = Width / Heads;
        Tensor Split(Tensor x) => x.view(b, s, Heads, headWidth).transpose(1, 2);
        var q = Split(Dense(hidden, "attention.self.query"));
        var k = Split(Dense(hidden, "attention.self.key"));
        var v = Split(Dense(hidden, "attention.self.value"));
        var scores = matmul(q, k.transpose(2, 3)) / Math.Sqrt(headWidth);
        scores += ((1f - mask) * MaskedScore).view(b, 1, 1, s);
        var context = matmul(nn.functional.softmax(scores, -1), v).transpose(1, 2).reshape(b, s, Width);
        var attention = Norm(hidden + Drop(Dense(context, "attention.output.dense")), "attention.output.LayerNorm");
        var intermediate = nn.functional.gelu(Dense(attention, "intermediate.dense"));
        return Norm(attention + Drop(Dense(intermediate, "output.dense")), "output.LayerNorm");
    }

    private Tensor Dense(Tensor x, string block) => matmul(x, P($"encoder.layer.{Layer}.{block}.weight")) + P($"encoder.layer.{Layer}.{block}.bias");

    private Tensor Norm(Tensor x, string block) =>
        nn.functional.layer_norm(x, [Width], P($"encoder.layer.{Layer}.{block}.weight"), P($"encoder.layer.{Layer}.{block}.bias"), LayerNormEpsilon);

    private Tensor Drop(Tensor x) => nn.functional.dropout(x, _dropout, training);

    private Parameter P(string name) => _values[Key(name)];

    // Module parameter names may not contain dots.
    private static string Key(string name) => name.Replace('.', '_');
}
