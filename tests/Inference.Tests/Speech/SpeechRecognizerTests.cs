using System.Globalization;

namespace Emotion.Orleans.Inference.Tests;

public sealed class SpeechRecognizerTests
{
    private static readonly Lazy<SpeechEmbedder> SharedEmbedder = new(() => SpeechEmbedder.Load(Path.Combine(ModelFiles.DefaultBundle, "speech-cnn.onnx")));

    private static SpeechEmbedder Embedder => SharedEmbedder.Value;

    [Fact]
    public void Speech_cnn_gives_a_finite_non_negative_128_d_embedding_and_7_logits_per_utterance()
    {
        var output = Embedder.Run(Utterances());

        Assert.Equal(3, output.Embeddings.Length);
        Assert.All(output.Embeddings, e =>
        {
            Assert.Equal(128, e.Length);
            Assert.All(e, v => Assert.True(float.IsFinite(v) && v >= 0)); // ReLU embedding
        });
        Assert.All(output.Logits, l => Assert.Equal(7, l.Length));
        Assert.NotEqual(output.Embeddings[0], output.Embeddings[1]);
    }

    [Fact]
    public void Batched_embedding_equals_one_by_one()
    {
        var utterances = Utterances();
        var batched = Embedder.Run(utterances);
        for (var i = 0; i < utterances.Count; i++)
        {
            var single = Embedder.Run([utterances[i]]);
            AssertClose(single.Embeddings[0], batched.Embeddings[i]);
            AssertClose(single.Logits[0], batched.Logits[i]);
        }
    }

    [Fact]
    public void Features_from_mfcc_frames_computed_once_equal_each_part_computed_on_its_own()
    {
        var utterances = Utterances();

        var features = SpeechRecognizer.Features(Embedder, utterances, withStatistics: true);

        var embeddings = Embedder.Run([.. utterances.Select(u => SilenceTrim.Apply(u).ToArray())]).Embeddings;
        for (var i = 0; i < utterances.Count; i++)
        {
            var trimmed = SilenceTrim.Apply(utterances[i]).ToArray();
            float[] expected = [.. MfccStatistics.Compute(trimmed), .. embeddings[i], .. ProsodyStatistics.Compute(trimmed)];
            Assert.Equal(expected, features[i]);
        }
    }

    [Fact]
    public void Recognizer_batch_equals_one_by_one_and_gives_probabilities()
    {
        var recognizer = new SpeechRecognizer(Embedder, Head());
        var utterances = Utterances();
        var batched = recognizer.Recognize(utterances);

        Assert.Equal(utterances.Count, batched.Count);
        for (var i = 0; i < utterances.Count; i++)
        {
            var single = Assert.Single(recognizer.Recognize([utterances[i]]));
            Assert.Equal(Modality.Speech, batched[i].Modality);
            AssertClose(single.Logits, batched[i].Logits);
            Assert.Equal(1f, batched[i].Probabilities.Sum(), 4);
        }
    }

    [Fact]
    public void Silence_around_an_utterance_does_not_change_its_features()
    {
        var voice = SpeechTestAudio.Concat(SpeechTestAudio.Sine(180, TimeSpan.FromSeconds(0.6), 0.3f), SpeechTestAudio.Sine(240, TimeSpan.FromSeconds(0.6), 0.3f));
        float[] shortPause = [.. new float[8_000], .. voice, .. new float[4_000]];
        float[] longPause = [.. new float[24_000], .. voice, .. new float[16_000]];

        var features = SpeechRecognizer.Features(Embedder, [shortPause, longPause], withStatistics: true);

        Assert.Equal(SpeechRecognizer.CombinedDimension, features[0].Length);
        AssertClose(features[0], features[1]);
    }

    [Fact]
    public void Recognizer_returns_nothing_for_no_utterances()
    {
        Assert.Empty(new SpeechRecognizer(Embedder, Head()).Recognize(Array.Empty<float[]>()));
    }

    [Fact]
    public void Bad_utterances_are_refused_before_the_model_runs()
    {
        var recognizer = new SpeechRecognizer(Embedder, Head());
        var good = SpeechTestAudio.Noise(TimeSpan.FromSeconds(1), 0.1f, seed: 21);
        var nan = (float[])good.Clone();
        nan[100] = float.NaN;
        var infinite = (float[])good.Clone();
        infinite[^1] = float.PositiveInfinity;

        Assert.Equal(InputErrorKind.Empty, Assert.Throws<InvalidInputException>(() => recognizer.Recognize([good, []])).Kind);
        Assert.Equal(InputErrorKind.Empty, Assert.Throws<InvalidInputException>(() => recognizer.Recognize(new float[][] { null! })).Kind);
        Assert.Equal(InputErrorKind.NotFinite, Assert.Throws<InvalidInputException>(() => recognizer.Recognize([good, nan])).Kind);
        Assert.Equal(InputErrorKind.NotFinite, Assert.Throws<InvalidInputException>(() => Embedder.Embed([infinite])).Kind);
        Assert.Equal(InputErrorKind.TooLarge, Assert.Throws<InvalidInputException>(() => recognizer.Recognize([new float[(16000 * 30) + 1]])).Kind);
        Assert.Equal(InputErrorKind.WrongShape, Assert.Throws<InvalidInputException>(() => Embedder.RunFeatures(new float[100], 1)).Kind);
    }

    [Fact]
    public void Audio_from_other_rates_goes_through_pcm_conversion_first()
    {
        var at8k = SpeechTestAudio.Sine(220, TimeSpan.FromSeconds(1), 0.3f, 8000);
        var prediction = Assert.Single(new SpeechRecognizer(Embedder, Head()).Recognize([PcmAudio.FromFloat(at8k, 8000)]));
        Assert.All(prediction.Probabilities, p => Assert.True(float.IsFinite(p)));
        Assert.Throws<InvalidInputException>(() => PcmAudio.FromFloat(SpeechTestAudio.Sine(220, TimeSpan.FromSeconds(1), 0.3f, 11025), 11025));
    }

    [Fact]
    public void A_head_of_the_wrong_width_is_a_bundle_error()
    {
        var head = new ModalityHead(64, new FeatureSelection([0, 1], [0f, 0f], [1f, 1f]), new DenseLayer(2, 2, new float[4], new float[2]), new DenseLayer(2, 7, new float[14], new float[7]));
        Assert.Throws<ModelBundleException>(() => new SpeechRecognizer(Embedder, head));
    }

    [Fact]
    public void A_model_without_the_speech_cnn_signature_is_a_bundle_error()
    {
        Assert.Throws<ModelBundleException>(() => SpeechEmbedder.Load(ModelFiles.SileroVad));
        Assert.Throws<ModelBundleException>(() => SpeechEmbedder.Load(Path.Combine(ModelFiles.DefaultBundle, "missing.onnx")));
    }

    [SkippableFact]
    public void Speech_cnn_recognizes_unseen_ravdess_actors_well_above_chance()
    {
        // Actors 17–20 were held out of training; chance is 1/7 (neutral, the largest class, is 0.2).
        var folder = SpeechTestAudio.RavdessFolder();
        var rows = File.ReadLines(Path.Combine(folder, "labels.csv")).Skip(1).Select(l => l.Split(','))
            .Where(r => int.Parse(r[7], CultureInfo.InvariantCulture) is >= 17 and <= 20)
            .ToList();
        var correct = 0;
        foreach (var chunk in rows.Chunk(40))
        {
            var output = Embedder.Run(chunk.Select(r => SpeechTestAudio.RavdessClip(r[0])).ToArray());
            for (var i = 0; i < chunk.Length; i++)
            {
                var predicted = Array.IndexOf(output.Logits[i], output.Logits[i].Max());
                correct += predicted == (int)EmotionLabels.Parse(chunk[i][3]) ? 1 : 0;
            }
        }

        var accuracy = correct / (double)rows.Count;
        Assert.Equal(240, rows.Count);
        Assert.True(accuracy > 0.4, $"dev accuracy {accuracy:0.000}");
    }

    private static List<float[]> Utterances() =>
    [
        SpeechTestAudio.Concat(SpeechTestAudio.Noise(TimeSpan.FromSeconds(0.7), 0.05f, seed: 31), SpeechTestAudio.Sine(180, TimeSpan.FromSeconds(0.8), 0.3f)),
        SpeechTestAudio.Noise(TimeSpan.FromSeconds(4.2), 0.2f, seed: 32),
        SpeechTestAudio.Concat(SpeechTestAudio.Sine(300, TimeSpan.FromSeconds(1.2), 0.4f), SpeechTestAudio.Sine(500, TimeSpan.FromSeconds(1.1), 0.1f)),
    ];

    /// <summary>A fixed, hand-written head (not a trained one): only shapes and plumbing are tested here.</summary>
    private static ModalityHead Head()
    {
        const int Hidden = 16;
        var selection = new FeatureSelection(Enumerable.Range(0, 128).ToArray(), new float[128], Enumerable.Repeat(1f, 128).ToArray());
        var projection = new DenseLayer(128, Hidden, Enumerable.Range(0, Hidden * 128).Select(i => MathF.Sin(i) * 0.1f).ToArray(), new float[Hidden]);
        var classifier = new DenseLayer(Hidden, 7, Enumerable.Range(0, 7 * Hidden).Select(i => MathF.Cos(i) * 0.3f).ToArray(), new float[7]);
        return new ModalityHead(128, selection, projection, classifier);
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * Math.Max(1f, Math.Abs(expected[i])), $"[{i}] {expected[i]} vs {actual[i]}");
        }
    }
}
