using Google.Protobuf;

namespace Emotion.Orleans.Inference.Tests;

/// <summary>The packaged MiniLM model's bytes, graph and hash, read once for the patch tests.</summary>
public sealed class MiniLmModelFixture
{
    public MiniLmModelFixture()
    {
        Model = MiniLmPackage.ReadModel();
        Sha256 = UpstreamModels.Sha256(Model);
        Graph = Onnx.ModelProto.Parser.ParseFrom(Model).Graph;
    }

    public byte[] Model { get; }

    public string Sha256 { get; }

    public Onnx.GraphProto Graph { get; }

    /// <summary>The current values of one layer's parameters, by name.</summary>
    public Dictionary<string, (long[] Shape, float[] Values)> LayerValues(int layer) =>
        MiniLmGraph.LayerParameters(Graph, layer).ToDictionary(p => p.Key, p => (p.Value.Dims.ToArray(), MiniLmGraph.FloatValues(p.Value)), StringComparer.Ordinal);
}

public sealed class MiniLmGraphTests(MiniLmModelFixture model) : IClassFixture<MiniLmModelFixture>
{
    private static readonly string[] Texts = ["I can't believe you did that to me!", "Thanks, that really helps.", "ok"];

    private static float[][] Embed(byte[]? patch)
    {
        using var encoder = new MiniLmEncoder(new OnnxSessionFactory(new OnnxRuntimeOptions { IntraOpThreads = 1 }), patch: patch);
        return encoder.Embed(Texts);
    }

    private static float Cosine(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();

    [Fact]
    public void Every_layer_has_its_sixteen_parameters_with_the_checkpoint_shapes()
    {
        for (var layer = 0; layer < MiniLmGraph.LayerCount; layer++)
        {
            var parameters = MiniLmGraph.LayerParameters(model.Graph, layer);

            Assert.Equal(16, parameters.Count);
            Assert.Equal([384L, 384L], parameters[$"encoder.layer.{layer}.attention.self.query.weight"].Dims);
            Assert.Equal([384L, 1536L], parameters[$"encoder.layer.{layer}.intermediate.dense.weight"].Dims);
            Assert.Equal([1536L, 384L], parameters[$"encoder.layer.{layer}.output.dense.weight"].Dims);
            Assert.Equal([384L], parameters[$"encoder.layer.{layer}.output.LayerNorm.bias"].Dims);

            // Six distinct weight matrices: the search did not land on one MatMul twice.
            Assert.Equal(6, parameters.Where(p => p.Key.EndsWith(".weight", StringComparison.Ordinal) && !p.Key.Contains("LayerNorm", StringComparison.Ordinal)).Select(p => p.Value.Name).Distinct().Count());
        }
    }

    [Fact]
    public void A_patch_of_the_unchanged_values_gives_the_same_embeddings_within_float16_rounding()
    {
        var patch = MiniLmGraph.CreatePatch(model.Sha256, [5], model.LayerValues(5));

        var plain = Embed(null);
        var patched = Embed(patch);

        for (var i = 0; i < Texts.Length; i++)
        {
            Assert.True(Cosine(plain[i], patched[i]) > 0.9999f, $"text {i}: cosine {Cosine(plain[i], patched[i])}");
        }
    }

    [Fact]
    public void A_patch_with_changed_values_changes_the_embeddings_and_is_recorded_by_the_encoder()
    {
        var values = model.LayerValues(5);
        var (shape, weights) = values["encoder.layer.5.output.dense.weight"];
        values["encoder.layer.5.output.dense.weight"] = (shape, [.. weights.Select(w => -w)]);
        var patch = MiniLmGraph.CreatePatch(model.Sha256, [5], values);

        using var encoder = new MiniLmEncoder(new OnnxSessionFactory(new OnnxRuntimeOptions { IntraOpThreads = 1 }), patch: patch);
        var patched = encoder.Embed(Texts);
        var plain = Embed(null);

        Assert.All(Enumerable.Range(0, Texts.Length), i => Assert.True(Cosine(plain[i], patched[i]) < 0.99f, $"text {i}: cosine {Cosine(plain[i], patched[i])}"));
        Assert.Equal(UpstreamModels.Sha256(patch), encoder.PatchSha256);
        Assert.Equal(MiniLmEncoder.FineTunedEncoderId, encoder.Id);
        Assert.Equal(model.Sha256, encoder.UpstreamSha256);
    }

    [Fact]
    public void A_patch_made_for_other_weights_is_refused_with_a_clear_error()
    {
        var patch = MiniLmGraph.CreatePatch(new string('0', 64), [5], model.LayerValues(5));

        var error = Assert.Throws<ModelBundleException>(() => MiniLmGraph.Apply(model.Model, model.Sha256, patch));

        Assert.Contains(new string('0', 64), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_patch_naming_an_unknown_parameter_or_giving_another_shape_is_refused()
    {
        var unknown = new Dictionary<string, (long[], float[])>(StringComparer.Ordinal) { ["pooler.dense.weight"] = ([2], [1f, 2f]) };
        var values = model.LayerValues(4);
        values["encoder.layer.4.output.dense.bias"] = ([383], new float[383]);

        var unknownError = Assert.Throws<ModelBundleException>(() => MiniLmGraph.Apply(model.Model, model.Sha256, MiniLmGraph.CreatePatch(model.Sha256, [5], unknown)));
        var shapeError = Assert.Throws<ModelBundleException>(() => MiniLmGraph.Apply(model.Model, model.Sha256, MiniLmGraph.CreatePatch(model.Sha256, [4], values)));

        Assert.Contains("pooler.dense.weight", unknownError.Message, StringComparison.Ordinal);
        Assert.Contains("encoder.layer.4.output.dense.bias", shapeError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_not_a_patch_are_refused_by_the_encoder_before_a_session_is_made()
    {
        var error = Assert.Throws<ModelBundleException>(() => new MiniLmEncoder(new OnnxSessionFactory(), patch: [0xff, 0xff, 0xff, 0x01]));

        Assert.Contains("patch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Layer_input_of_layer_zero_is_the_embedding_layer_norm_output_and_of_later_layers_the_previous_output()
    {
        var producers = model.Graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n, StringComparer.Ordinal);

        var first = producers[MiniLmGraph.LayerInput(model.Graph, 0)];
        var last = producers[MiniLmGraph.LayerInput(model.Graph, 5)];

        Assert.Contains("embeddings.LayerNorm.bias", first.Input);
        Assert.Contains("encoder.layer.4.output.LayerNorm.bias", last.Input);
    }

    [Fact]
    public void A_float16_tensor_reads_back_as_the_rounded_float32_values()
    {
        var tensor = new Onnx.TensorProto { Name = "t", DataType = (int)Onnx.TensorProto.Types.DataType.Float16 };
        tensor.Dims.Add(3);
        Half[] halves = [(Half)1.5f, (Half)(-0.1f), (Half)65504f];
        tensor.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(halves.AsSpan()));

        Assert.Equal([1.5f, (float)(Half)(-0.1f), 65504f], MiniLmGraph.FloatValues(tensor));
    }
}
