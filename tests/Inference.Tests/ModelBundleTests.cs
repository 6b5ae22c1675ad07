namespace Emotion.Orleans.Inference.Tests;

public sealed class ModelBundleTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bundle-test").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static DenseLayerFile Layer(int inputs, int outputs, float value) =>
        new(inputs, outputs, Enumerable.Repeat(value, inputs * outputs).ToArray(), new float[outputs]);

    private static HeadFile Head(string modality, int dimension) => new(
        modality,
        "test-encoder",
        dimension,
        new FeatureSelectionFile("test", [0, 2], [0f, 1f], [1f, 2f]),
        Layer(2, 4, 0.5f),
        Layer(4, 7, 0.25f));

    private BundleManifest WriteBundle(Dictionary<string, string>? upstream = null, string? textEncoder = null)
    {
        var manifest = new BundleManifest(
            ModelBundle.FormatVersion,
            [.. EmotionLabels.Names],
            DateTimeOffset.UnixEpoch,
            new TrainingProvenance("emotion-train train", "abc", 7, ["unit test"]),
            upstream ?? new() { [UpstreamModels.MiniLm] = "00ff" },
            "text-head.json",
            "speech-head.json",
            "face-head.json",
            "speech-cnn.onnx",
            "fusion.json")
        {
            TextEncoder = textEncoder,
        };
        File.WriteAllBytes(Path.Combine(_directory, "speech-cnn.onnx"), [1]);
        var fusion = new FusionFile(new AttentionFile([Layer(7, 3, 0.1f), Layer(7, 3, 0.2f), Layer(7, 3, 0.3f)], [1f, 1f, 1f]), [Layer(21, 8, 0.1f), Layer(8, 7, 0.1f)], "resnet18");
        ModelBundle.Save(_directory, manifest, Head("text", 4), Head("speech", 5), Head("face", 6), fusion);
        return manifest;
    }

    [Fact]
    public void A_saved_bundle_loads_with_the_same_heads_and_fusion()
    {
        WriteBundle();

        var bundle = ModelBundle.Load(_directory);

        Assert.Equal(4, bundle.TextHead.InputDimension);
        Assert.Equal(6, bundle.FaceHead.InputDimension);
        Assert.Equal([0, 2], bundle.SpeechHead.Selection.Indices);
        Assert.Equal(2, bundle.Fusion.Mlp.Layers.Count);
        Assert.Equal("resnet18", bundle.FaceSource);
        var output = bundle.Fusion.Fuse([new float[7], null, new float[7]]);
        Assert.Equal(0f, output.Alpha[1]);
    }

    [Fact]
    public void A_bundle_trained_against_other_encoder_weights_is_refused_with_a_clear_error()
    {
        WriteBundle();
        var bundle = ModelBundle.Load(_directory);

        var error = Assert.Throws<ModelBundleException>(() => bundle.VerifyUpstream(UpstreamModels.MiniLm, "abcdef0123456789"));
        Assert.Contains(UpstreamModels.MiniLm, error.Message, StringComparison.Ordinal);
        Assert.Throws<ModelBundleException>(() => bundle.VerifyUpstream(UpstreamModels.ResNet18, "00ff"));
        bundle.VerifyUpstream(UpstreamModels.MiniLm, "00FF");
    }

    [Fact]
    public void A_bundle_with_a_missing_file_is_refused()
    {
        WriteBundle();
        File.Delete(Path.Combine(_directory, "fusion.json"));

        Assert.Throws<ModelBundleException>(() => ModelBundle.Load(_directory));
    }

    [Fact]
    public void A_bundle_naming_a_text_encoder_patch_it_lacks_is_refused_and_one_that_has_it_reads_it()
    {
        WriteBundle(textEncoder: "text-encoder.onnx");

        var error = Assert.Throws<ModelBundleException>(() => ModelBundle.Load(_directory));
        Assert.Contains("text-encoder.onnx", error.Message, StringComparison.Ordinal);

        File.WriteAllBytes(Path.Combine(_directory, "text-encoder.onnx"), [1, 2, 3]);
        var bundle = ModelBundle.Load(_directory);
        Assert.Equal([1, 2, 3], bundle.ReadTextEncoderPatch());
        WriteBundle();
        Assert.Null(ModelBundle.Load(_directory).ReadTextEncoderPatch());
    }

    [Fact]
    public void A_bundle_with_malformed_or_incomplete_json_is_refused()
    {
        WriteBundle();
        File.WriteAllText(Path.Combine(_directory, "text-head.json"), "{\"modality\": \"text\"}");

        Assert.Throws<ModelBundleException>(() => ModelBundle.Load(_directory));
    }

    [Fact]
    public void A_bundle_whose_shapes_disagree_is_refused()
    {
        WriteBundle();
        var path = Path.Combine(_directory, "text-head.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"inputDimension\": 4", "\"inputDimension\": 1", StringComparison.Ordinal));

        Assert.Throws<ModelBundleException>(() => ModelBundle.Load(_directory));
    }

    [Fact]
    public void A_bundle_whose_head_files_are_swapped_between_modalities_is_refused()
    {
        var manifest = WriteBundle();
        File.WriteAllText(Path.Combine(_directory, manifest.Text), File.ReadAllText(Path.Combine(_directory, manifest.Speech)));

        var error = Assert.Throws<ModelBundleException>(() => ModelBundle.Load(_directory));

        Assert.Contains("speech head where the text head belongs", error.Message, StringComparison.Ordinal);
    }
}
