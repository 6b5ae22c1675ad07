using Emotion.Orleans.Inference;
using static TorchSharp.torch;

namespace Emotion.Orleans.Training.Tests;

public sealed class SpeechCnnExportTests
{
    [Theory]
    [InlineData(0, 25, 2e-3)]
    [InlineData(32, 0, 2e-3)]
    [InlineData(32, 25, 0.0)]
    public void Speech_cnn_training_refuses_options_that_cannot_train_before_reading_any_audio(int batchSize, int epochs, double learningRate)
    {
        var options = new SpeechCnnTrainingOptions
        {
            RavdessDirectory = Path.Combine(Path.GetTempPath(), "no-such-ravdess-folder"),
            BatchSize = batchSize,
            Epochs = epochs,
            LearningRate = learningRate,
        };

        Assert.Throws<ArgumentOutOfRangeException>(() => SpeechCnnTrainer.Train(options));
    }

    [Fact]
    public void Exported_onnx_speech_cnn_gives_the_same_embeddings_and_logits_as_torchsharp()
    {
        manual_seed(3);
        using var model = new SpeechCnn();
        TrainBriefly(model);
        var inputs = Inputs(5, seed: 4);
        var (_, torchLogits, torchEmbeddings) = SpeechCnnTrainer.Predict(model, inputs, 5);

        using var session = new OnnxSessionFactory().Create(SpeechCnnOnnxExporter.Export(model));
        using var embedder = new SpeechEmbedder(session);
        var batched = embedder.RunFeatures(inputs, 5);
        var single = embedder.RunFeatures(inputs[..MfccFeatures.MatrixLength], 1);

        for (var i = 0; i < 5; i++)
        {
            AssertClose(torchLogits[i], batched.Logits[i]);
            AssertClose(torchEmbeddings[i], batched.Embeddings[i]);
        }

        AssertClose(torchLogits[0], single.Logits[0]);
        // The folded BatchNorm must matter: eval-mode statistics moved away from their initial values.
        Assert.Contains(model.Norms[0].running_mean!.data<float>().ToArray(), m => Math.Abs(m) > 1e-3);
    }

    [Theory]
    [InlineData(MfccNormalization.Utterance)]
    [InlineData(MfccNormalization.Level)]
    public void Exported_model_tells_the_embedder_which_mfcc_normalisation_it_was_trained_with(MfccNormalization normalization)
    {
        manual_seed(5);
        using var model = new SpeechCnn();
        using var session = new OnnxSessionFactory().Create(SpeechCnnOnnxExporter.Export(model, normalization));
        using var embedder = new SpeechEmbedder(session);
        Assert.Equal(normalization, embedder.Normalization);
    }

    private static void TrainBriefly(SpeechCnn model)
    {
        var optimizer = optim.AdamW(model.parameters(), lr: 1e-2);
        model.train();
        for (var step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            var x = tensor(Inputs(8, seed: step), [8, 1, MfccFeatures.Coefficients, MfccFeatures.Frames]);
            var y = tensor(Enumerable.Range(0, 8).Select(i => (long)(i % EmotionLabels.Count)).ToArray());
            optimizer.zero_grad();
            var (_, logits) = model.forward(x);
            nn.functional.cross_entropy(logits, y).backward();
            optimizer.step();
        }
    }

    private static float[] Inputs(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count * MfccFeatures.MatrixLength];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 4) - 2);
        }

        return values;
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * Math.Max(1f, Math.Abs(expected[i])), $"[{i}] torch {expected[i]} vs onnx {actual[i]}");
        }
    }
}
