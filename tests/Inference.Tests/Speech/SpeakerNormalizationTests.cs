namespace Emotion.Orleans.Inference.Tests;

public sealed class SpeakerNormalizationTests
{
    [Fact]
    public void Running_statistics_equal_the_batch_mean_and_variance()
    {
        float[][] rows = [[1f, 10f], [3f, 14f], [5f, 9f], [7f, 11f]];
        var s = rows.Aggregate(SpeakerStatistics.Empty(2), (acc, r) => acc.Add(r));

        Assert.Equal(4, s.Count);
        Assert.Equal(4f, s.Mean[0], 5);
        Assert.Equal(11f, s.Mean[1], 5);
        Assert.Equal(20f, s.SumSquares[0], 4); // 9 + 1 + 1 + 9
        Assert.Equal(14f, s.SumSquares[1], 4); // 1 + 9 + 4 + 0
    }

    [Fact]
    public void Adding_leaves_the_earlier_statistics_unchanged()
    {
        var first = SpeakerStatistics.Empty(1).Add([2f]);
        var second = first.Add([4f]);

        Assert.Equal(1, first.Count);
        Assert.Equal(2f, first.Mean[0]);
        Assert.Equal(3f, second.Mean[0]);
    }

    [Fact]
    public void A_call_with_no_history_is_normalised_by_the_prior()
    {
        var normalizer = new SpeakerNormalizer([10f, 0f], [4f, 1f], priorWeight: 5f);

        var output = normalizer.Normalize([14f, -1f], SpeakerStatistics.Empty(2));

        Assert.Equal(2f, output[0], 5); // (14 − 10) / 2
        Assert.Equal(-1f, output[1], 5);
    }

    [Fact]
    public void A_value_far_outside_every_training_speaker_is_clipped_to_five_deviations()
    {
        var normalizer = new SpeakerNormalizer([0f, 0f], [1f, 1f], priorWeight: 5f);

        var output = normalizer.Normalize([-30f, 4.5f], SpeakerStatistics.Empty(2));

        Assert.Equal(-5f, output[0]);
        Assert.Equal(4.5f, output[1], 5); // within the bound: unchanged
    }

    [Fact]
    public void A_long_call_is_normalised_mostly_by_its_own_statistics()
    {
        // A speaker whose features sit far from the prior: after many utterances the normalised
        // value of their typical utterance approaches zero, as with per-speaker z-normalisation.
        var normalizer = new SpeakerNormalizer([0f], [1f], priorWeight: 2f);
        var speaker = SpeakerStatistics.Empty(1);
        for (var i = 0; i < 200; i++)
        {
            speaker = speaker.Add([(i % 2 == 0) ? 49f : 51f]);
        }

        var typical = normalizer.Normalize([50f], speaker)[0];
        var high = normalizer.Normalize([51f], speaker)[0];

        Assert.InRange(typical, -0.6f, 0.6f);
        Assert.True(high > typical);
        Assert.Equal((float)SpeakerNormalizer.MaxDeviation, normalizer.Normalize([50f], SpeakerStatistics.Empty(1))[0]); // 50 deviations, clipped
    }

    [Fact]
    public void The_prior_is_the_mean_of_speaker_means_and_within_speaker_variance()
    {
        float[][] rows = [[0f], [2f], [10f], [14f]];
        string[] speakers = ["a", "a", "b", "b"];

        var normalizer = SpeakerNormalizer.Fit(rows, speakers, 3f);

        Assert.Equal(6.5f, normalizer.PriorMean[0], 5); // (1 + 12) / 2
        Assert.Equal(2.5f, normalizer.PriorVariance[0], 5); // (1 + 4) / 2
        Assert.Equal(3f, normalizer.PriorWeight);
    }

    [Fact]
    public void Bad_statistics_and_priors_are_refused()
    {
        Assert.Throws<ArgumentException>(() => SpeakerStatistics.From(1, [0f, 1f], [0f]));
        Assert.Throws<ArgumentException>(() => SpeakerStatistics.From(1, [float.NaN], [0f]));
        Assert.Throws<ArgumentException>(() => SpeakerStatistics.From(1, [0f], [-1f]));
        Assert.Throws<ArgumentOutOfRangeException>(() => SpeakerStatistics.From(-1, [0f], [0f]));
        Assert.Throws<ArgumentException>(() => SpeakerStatistics.Empty(2).Add([1f]));
        Assert.Throws<ArgumentException>(() => new SpeakerNormalizer([0f], [0f], 1f));
        Assert.Throws<ArgumentException>(() => new SpeakerNormalizer([0f], [1f], 0f));
        Assert.Throws<ArgumentException>(() => new SpeakerNormalizer([0f], [1f], 1f).Normalize([1f, 2f], SpeakerStatistics.Empty(2)));
    }

    [Fact]
    public void Mfcc_statistics_summarise_each_coefficient()
    {
        var frames = Enumerable.Range(0, 5).Select(t => Enumerable.Range(0, MfccFeatures.Coefficients).Select(c => (float)(c + (t * (c % 3)))).ToArray()).ToArray();

        var summary = MfccStatistics.Summarize(frames);

        Assert.Equal(MfccStatistics.Dimension, summary.Length);
        // Coefficient 1 grows by 1 per frame: 1, 2, 3, 4, 5.
        var o = MfccStatistics.StatisticsPerCoefficient;
        Assert.Equal(3f, summary[o], 5); // mean
        Assert.Equal(MathF.Sqrt(2f), summary[o + 1], 5); // population std
        Assert.Equal(1f, summary[o + 2]); // min
        Assert.Equal(5f, summary[o + 3]); // max
        Assert.Equal(3f, summary[o + 4]); // median
        Assert.Equal(1f, summary[o + 5], 5); // mean |Δ|
        Assert.Equal(0f, summary[o + 6], 5); // std of |Δ|
        Assert.Equal(0f, summary[1]); // coefficient 0 is constant
        Assert.Throws<ArgumentException>(() => MfccStatistics.Summarize([]));
    }

    [Fact]
    public void The_recognizer_normalises_by_the_callers_statistics_and_returns_them_updated()
    {
        using var embedder = SpeechEmbedder.Load(Path.Combine(ModelFiles.DefaultBundle, "speech-cnn.onnx"));
        var width = SpeechRecognizer.CombinedDimension;
        var head = new ModalityHead(
            width,
            new FeatureSelection([.. Enumerable.Range(0, width)], new float[width], [.. Enumerable.Repeat(1f, width)]),
            null,
            new DenseLayer(width, 7, [.. Enumerable.Range(0, 7 * width).Select(i => MathF.Sin(i) * 0.05f)], new float[7]));
        var normalizer = new SpeakerNormalizer(new float[width], [.. Enumerable.Repeat(1f, width)], 2f);
        var recognizer = new SpeechRecognizer(embedder, head, normalizer: normalizer);
        var first = SpeechTestAudio.Sine(220, TimeSpan.FromSeconds(1), 0.3f);
        var second = SpeechTestAudio.Noise(TimeSpan.FromSeconds(1.5), 0.1f, seed: 4);

        var a = Assert.Single(recognizer.Recognize([new SpeechUtterance(first, null)]));
        var b = Assert.Single(recognizer.Recognize([new SpeechUtterance(second, a.Speaker)]));
        var fresh = Assert.Single(recognizer.Recognize([new SpeechUtterance(second, null)]));

        Assert.Equal(1, a.Speaker!.Count);
        Assert.Equal(2, b.Speaker!.Count);
        var features = recognizer.Features([first, second]);
        Assert.Equal(features[0], a.Speaker.Mean);
        Assert.Equal(head.Logits(normalizer.Normalize(features[1], b.Speaker)), b.Prediction.Logits);
        Assert.NotEqual(b.Prediction.Logits, fresh.Prediction.Logits); // the call's history changes the answer
        Assert.Throws<InvalidInputException>(() => recognizer.Recognize([new SpeechUtterance(first, SpeakerStatistics.Empty(3))]));
    }
}
