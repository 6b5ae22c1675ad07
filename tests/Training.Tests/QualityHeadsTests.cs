using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training.Tests;

public sealed class QualityHeadsTests
{
    private static readonly int[] SpeakerB = [3, 4];

    [Fact]
    public void Temperature_scaling_recovers_the_temperature_that_generated_the_labels()
    {
        // Labels drawn from softmax(z / 2): the fitted T is close to 2 and lowers the log loss.
        var random = new Random(5);
        var logits = new List<float[]>();
        var labels = new List<EmotionLabel>();
        for (var i = 0; i < 4000; i++)
        {
            var z = Enumerable.Range(0, 7).Select(_ => (float)(Synthetic.Gaussian(random) * 3)).ToArray();
            var p = Softmax.Apply([.. z.Select(v => v / 2f)]);
            var u = random.NextDouble();
            var label = 0;
            for (var c = 0; c < 7; c++)
            {
                u -= p[c];
                if (u < 0)
                {
                    label = c;
                    break;
                }

                label = c;
            }

            logits.Add(z);
            labels.Add((EmotionLabel)label);
        }

        var (t, before, after) = Temperature.Fit(logits, labels);

        Assert.InRange(t, 1.8f, 2.2f);
        Assert.True(after < before);
        Assert.Equal(after, Temperature.LogLoss(logits, labels, t), 6);
    }

    [Fact]
    public void Linear_head_search_picks_the_informative_features_and_folds_the_temperature_in()
    {
        var train = Synthetic.Problem(700, 6, [0, 1, 2], separation: 2.5f, seed: 1);
        var dev = Synthetic.Problem(350, 6, [0, 1, 2], separation: 2.5f, seed: 2);
        var options = new LinearHeadOptions([1e-3f, 1f], [0f, 1f], 200, r => r.Accuracy);

        var result = LinearHeadTrainer.Train(train, dev, [new FeatureSet("noise only", [3, 4, 5]), new FeatureSet("all", [0, 1, 2, 3, 4, 5])], options);

        Assert.Equal(8, result.Candidates.Count);
        Assert.Equal("all", result.Chosen.Features);
        Assert.Equal(result.Candidates.Max(c => c.Score), result.Chosen.Score);
        Assert.Null(result.Head.Projection);
        Assert.Equal(6, result.Head.InputDimension);
        Assert.True(result.Chosen.Report.Accuracy > 0.6, $"accuracy {result.Chosen.Report.Accuracy}");
        Assert.True(result.Candidates.Where(c => c.Features == "noise only").All(c => c.Report.Accuracy < 0.35));
        // The head's logits are the fitted model's divided by T: the log loss at T = 1 of the head is the fitted loss.
        var headLogits = dev.Features.Select(x => result.Head.Logits(x)).ToArray();
        Assert.Equal(result.LogLossAfter, Temperature.LogLoss(headLogits, dev.Labels, 1f), 4);
        Assert.True(result.LogLossAfter <= result.LogLossBefore + 1e-9);
    }

    [Fact]
    public void Meld_context_is_the_mean_of_the_previous_turns_of_the_same_dialogue()
    {
        LabelledItem Item(int dialogue, int utterance) =>
            new(MeldLoader.Dataset, $"dia{dialogue}_utt{utterance}", Modality.Text, EmotionLabel.Neutral, "x", dialogue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Out of order on purpose, and dialogue 1 lacks utterance 1.
        LabelledItem[] items = [Item(1, 2), Item(0, 0), Item(0, 1), Item(1, 0), Item(0, 2), Item(0, 3), new("goemotions", "c1", Modality.Text, EmotionLabel.Joy, "y")];
        float[][] embeddings = [[10f], [1f], [2f], [20f], [3f], [4f], [7f]];

        var features = MeldContext.Features(items, embeddings, turns: 2);

        Assert.Equal([10f, 20f], features[0]); // dia1 utt2 ← utt0 (utt1 missing)
        Assert.Equal([1f, 0f], features[1]); // opening turn
        Assert.Equal([2f, 1f], features[2]);
        Assert.Equal([3f, 1.5f], features[4]);
        Assert.Equal([4f, 2.5f], features[5]); // the last two turns only
        Assert.Equal([7f, 0f], features[6]); // not a dialogue
    }

    [Fact]
    public void Meld_speaker_context_is_the_same_speakers_latest_earlier_turn()
    {
        LabelledItem Item(int utterance, string? speaker) =>
            new(MeldLoader.Dataset, $"dia0_utt{utterance}", Modality.Text, EmotionLabel.Neutral, "x", "0", speaker);
        // Out of order on purpose; B speaks at 0 and 2, A at 1 and 3, and utterance 4's speaker is unknown.
        LabelledItem[] items = [Item(3, "A"), Item(0, "B"), Item(1, "A"), Item(2, "B"), Item(4, null), new("goemotions", "c1", Modality.Text, EmotionLabel.Joy, "y")];
        float[][] embeddings = [[4f], [1f], [2f], [3f], [5f], [7f]];

        var features = MeldContext.Features(items, embeddings, turns: 1, sameSpeaker: true);

        Assert.Equal([4f, 3f, 2f], features[0]); // A at 3 ← previous turn 2 (B), own turn 1
        Assert.Equal([1f, 0f, 0f], features[1]); // opening turn
        Assert.Equal([2f, 1f, 0f], features[2]); // A's first turn
        Assert.Equal([3f, 2f, 1f], features[3]);
        Assert.Equal([5f, 4f, 0f], features[4]); // unknown speaker: no own turn
        Assert.Equal([7f, 0f, 0f], features[5]); // not a dialogue
        Assert.Equal([4f, 3f], MeldContext.Features(items, embeddings, turns: 1)[0]);
    }

    [Fact]
    public void Running_speaker_normalisation_uses_only_the_clips_seen_so_far()
    {
        float[][] rows = [[0f], [10f], [20f], [100f], [110f]];
        string[] speakers = ["a", "a", "a", "b", "b"];
        var normalizer = new SpeakerNormalizer([0f], [1f], 1f);

        var whole = SpeakerFeatures.WholeSpeaker(rows, speakers, normalizer);
        var running = SpeakerFeatures.Running(rows, speakers, normalizer, seed: 3);

        var statsA = SpeakerNormalizer.Statistics(rows, speakers)["a"];
        Assert.Equal(normalizer.Normalize(rows[1], statsA), whole[1]);
        // Each speaker's first clip in the visiting order is normalised by the prior and itself only.
        Assert.Single(SpeakerB, i => running[i][0] == normalizer.Normalize(rows[i], SpeakerStatistics.Empty(1).Add(rows[i]))[0]);
        Assert.Single(SpeakerB, i => running[i][0] == whole[i][0]); // the last clip seen has seen them all
        Assert.NotEqual(whole, running);
    }

    [Fact]
    public void Noise_corruption_replaces_one_present_modality_and_never_the_only_one()
    {
        var random = new Random(2);
        var statistics = new (float[] Mean, float[] Std)[] { (new float[7], Enumerable.Repeat(1f, 7).ToArray()), (new float[7], Enumerable.Repeat(1f, 7).ToArray()), (new float[7], Enumerable.Repeat(1f, 7).ToArray()) };
        float[] text = [.. Enumerable.Repeat(5f, 7)];
        float[] face = [.. Enumerable.Repeat(9f, 7)];

        var corrupted = CompositeBuilder.Corrupt([text, null, face], 1f, statistics, random);
        var alone = CompositeBuilder.Corrupt([text, null, null], 1f, statistics, random);
        var untouched = CompositeBuilder.Corrupt([text, null, face], 0f, statistics, random);

        Assert.Null(corrupted[1]);
        Assert.Equal(1, new[] { corrupted[0] == text, corrupted[2] == face }.Count(same => !same));
        Assert.Same(text, alone[0]);
        Assert.Same(face, untouched[2]);
    }
}
