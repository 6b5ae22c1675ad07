namespace Emotion.Orleans.Inference.Tests;

public sealed class OnnxGraphRewriteTests
{
    [Fact]
    public void Symbolic_batch_rewrite_frees_the_batch_dimension_of_resnet18()
    {
        var original = File.ReadAllBytes(ModelFiles.ResNet18);
        var sessions = new OnnxSessionFactory(new OnnxRuntimeOptions { IntraOpThreads = 1 });
        using var before = sessions.Create(original);
        using var after = sessions.Create(OnnxGraphRewrite.WithSymbolicBatch(original, "ResNet18"));

        Assert.Equal(1, before.InputMetadata.Values.Single().Dimensions[0]);
        Assert.Equal(-1, after.InputMetadata.Values.Single().Dimensions[0]);
        Assert.Equal(-1, after.OutputMetadata.Values.Single().Dimensions[0]);
        Assert.Equal(before.InputMetadata.Values.Single().Dimensions[1..], after.InputMetadata.Values.Single().Dimensions[1..]);
    }

    [Fact]
    public void Symbolic_batch_rewrite_refuses_bytes_that_are_not_an_onnx_model()
    {
        var ex = Assert.Throws<ModelBundleException>(() => OnnxGraphRewrite.WithSymbolicBatch([0xFF, 0xFF, 0xFF, 0x01, 0x02], "ResNet18"));
        Assert.Contains("ResNet18", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Symbolic_batch_rewrite_refuses_a_graph_with_a_shape_fixing_node()
    {
        // BlazeFace reshapes its anchors to a fixed count, so renaming dimensions cannot free its batch.
        var ex = Assert.Throws<ModelBundleException>(() => OnnxGraphRewrite.WithSymbolicBatch(File.ReadAllBytes(ModelFiles.BlazeFace), "BlazeFace"));
        Assert.Contains("shape-fixing", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Sessions_with_and_without_spin_waiting_give_the_same_speech_cnn_output(bool allowSpinning)
    {
        var cnn = Path.Combine(ModelFiles.DefaultBundle, "speech-cnn.onnx");
        var matrices = new float[2 * MfccFeatures.MatrixLength];
        for (var i = 0; i < matrices.Length; i++)
        {
            matrices[i] = MathF.Sin(i * 0.01f);
        }

        using var reference = new SpeechEmbedder(new OnnxSessionFactory(new OnnxRuntimeOptions { IntraOpThreads = 1 }).Create(cnn), ownsSession: true);
        using var embedder = new SpeechEmbedder(
            new OnnxSessionFactory(new OnnxRuntimeOptions { IntraOpThreads = 2, AllowSpinning = allowSpinning }).Create(cnn),
            ownsSession: true);
        var expected = reference.RunFeatures(matrices, 2).Embeddings;
        var actual = embedder.RunFeatures(matrices, 2).Embeddings;
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], (a, b) => MathF.Abs(a - b) <= 1e-4f * (1 + MathF.Abs(a)));
        }
    }
}
