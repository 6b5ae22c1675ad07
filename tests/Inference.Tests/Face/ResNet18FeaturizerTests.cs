using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Orleans.Inference.Tests;

public sealed class ResNet18FeaturizerTests : IClassFixture<ResNet18FeaturizerTests.Model>
{
    private readonly ResNet18Featurizer _featurizer;

    public ResNet18FeaturizerTests(Model model) => _featurizer = model.Featurizer;

    private static Image<Rgb24> Pattern(int seed, int width, int height)
    {
        var random = new Random(seed);
        var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var wave = (byte)(127 + (120 * Math.Sin((x * (seed + 1) / 17.0) + (y / 11.0))));
                image[x, y] = new Rgb24(wave, (byte)random.Next(256), (byte)(255 - wave));
            }
        }

        return image;
    }

    [Fact]
    public void Model_file_is_copied_into_the_test_output()
    {
        Assert.True(File.Exists(ModelFiles.ResNet18), ModelFiles.ResNet18);
    }

    [Fact]
    public void Upstream_hash_is_the_sha256_of_the_original_file()
    {
        var expected = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(ModelFiles.ResNet18)));

        Assert.Equal(expected, _featurizer.UpstreamSha256);
        Assert.Equal(64, _featurizer.UpstreamSha256.Length);
    }

    [Fact]
    public void Batch_of_three_equals_three_single_runs()
    {
        using var a = Pattern(1, 224, 224);
        using var b = Pattern(2, 300, 200);
        using var c = Pattern(3, 64, 64);

        var batch = _featurizer.Featurize([a, b, c]);
        var singles = new[] { a, b, c }.Select(i => _featurizer.Featurize([i])[0]).ToArray();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ResNet18Featurizer.Dimension, batch[i].Length);
            for (var k = 0; k < ResNet18Featurizer.Dimension; k++)
            {
                Assert.Equal(singles[i][k], batch[i][k], 1e-4f);
            }
        }

        // Different images give different features (the batch is not one image repeated).
        Assert.True(batch[0].Zip(batch[1]).Sum(p => Math.Abs(p.First - p.Second)) > 1f);
    }

    [Fact]
    public void Features_equal_the_packaged_preprocessing_model_chained_into_resnet18()
    {
        using var image = Pattern(5, 224, 224);
        var rgb = new float[3 * 224 * 224];
        for (var y = 0; y < 224; y++)
        {
            for (var x = 0; x < 224; x++)
            {
                var p = image[x, y];
                rgb[(y * 224) + x] = p.R;
                rgb[(224 * 224) + (y * 224) + x] = p.G;
                rgb[(2 * 224 * 224) + (y * 224) + x] = p.B;
            }
        }

        var prepPath = Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNetPrepOnnx", "ResNetPreprocess.onnx");
        using var prep = new InferenceSession(prepPath);
        using var resnet = new InferenceSession(ModelFiles.ResNet18);
        using var input = OrtValue.CreateTensorValueFromMemory(rgb, [1, 3, 224, 224]);
        using var runOptions = new RunOptions();
        using var prepared = prep.Run(runOptions, ["OriginalInput"], [input], ["PreprocessedInput"]);
        using var features = resnet.Run(runOptions, [resnet.InputNames[0]], [prepared[0]], [resnet.OutputNames[0]]);
        var expected = features[0].GetTensorDataAsSpan<float>().ToArray();

        var actual = _featurizer.Featurize([image])[0];

        for (var k = 0; k < expected.Length; k++)
        {
            Assert.Equal(expected[k], actual[k], 1e-3f);
        }
    }

    public sealed class Model : IDisposable
    {
        public ResNet18Featurizer Featurizer { get; } = new(new OnnxSessionFactory(new OnnxRuntimeOptions { IntraOpThreads = 1 }));

        public void Dispose() => Featurizer.Dispose();
    }
}
