using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training.Tests;

public sealed class TextEncoderFineTuningTests
{
    private static readonly (string Text, EmotionLabel Label)[] Lines =
    [
        ("This is outrageous, I want my money back now!", EmotionLabel.Anger),
        ("Stop lying to me, I am furious.", EmotionLabel.Anger),
        ("That smell is revolting.", EmotionLabel.Disgust),
        ("Ugh, that is disgusting, get it away.", EmotionLabel.Disgust),
        ("I'm scared something bad will happen.", EmotionLabel.Fear),
        ("Please help, I am terrified.", EmotionLabel.Fear),
        ("Wonderful, thank you so much!", EmotionLabel.Joy),
        ("I'm so happy it finally works.", EmotionLabel.Joy),
        ("My account number is on the letter.", EmotionLabel.Neutral),
        ("I'll call again on Monday.", EmotionLabel.Neutral),
        ("I miss her so much, it hurts.", EmotionLabel.Sadness),
        ("Everything feels hopeless today.", EmotionLabel.Sadness),
        ("Wait, what? Really?", EmotionLabel.Surprise),
        ("No way, you're kidding!", EmotionLabel.Surprise),
    ];

    private static LabelledItem[] Items(int from) =>
        [.. Lines.Where((_, i) => i % 2 == from).Select((l, i) => new LabelledItem("test", $"t{from}-{i}", Modality.Text, l.Label, l.Text, null))];

    [Fact]
    public void Fine_tuned_layers_written_into_the_graph_give_the_embeddings_they_were_trained_to_give()
    {
        var train = Items(0);
        var dev = Items(1);

        var report = TextEncoderFineTuner.Train(train, dev, new TextEncoderFineTuningOptions { Layers = 2, Epochs = 2, BatchSize = 4, LearningRate = 1e-3, Seed = 5, Threads = 1 });

        // The TorchSharp layers reproduce the graph's untouched layers.
        Assert.True(report.MaxGraphDifference < 1e-4, $"max |Δ| {report.MaxGraphDifference}");
        Assert.Equal(2, report.EpochDev.Count);
        using var encoder = new MiniLmEncoder(new OnnxSessionFactory(new OnnxRuntimeOptions { IntraOpThreads = 1 }), patch: report.Patch);
        using var plain = new MiniLmEncoder(new OnnxSessionFactory(new OnnxRuntimeOptions { IntraOpThreads = 1 }));
        var live = encoder.Embed([.. dev.Select(d => d.Content)]);
        var original = plain.Embed([.. dev.Select(d => d.Content)]);
        for (var i = 0; i < dev.Length; i++)
        {
            var trained = Cosine(live[i], report.DevEmbeddings[i]);
            Assert.True(trained > 0.999f, $"item {i}: cosine to the fine-tuner's embedding {trained}");
        }

        // Training at this rate moved the encoder: the patch is not the packaged weights again.
        Assert.True(Enumerable.Range(0, dev.Length).Min(i => Cosine(live[i], original[i])) < 0.999f);
    }

    [Fact]
    public void Class_weights_give_rare_classes_more_weight_and_absent_classes_none()
    {
        long[] labels = [4, 4, 4, 4, 0, 0, 3];

        var weights = TextEncoderFineTuner.ClassWeights(labels, power: 0.5);

        Assert.Equal(1f, weights[4]);
        Assert.Equal(MathF.Sqrt(2f), weights[0], 5);
        Assert.Equal(2f, weights[3], 5);
        Assert.Equal(0f, weights[1]);
    }

    private static float Cosine(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();
}
