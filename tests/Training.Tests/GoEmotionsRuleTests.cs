using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training.Tests;

public sealed class GoEmotionsRuleTests
{
    [Fact]
    public void Single_label_keeps_its_group()
    {
        Assert.Equal((GoEmotionsRuleBranch.SingleLabel, EmotionLabel.Fear), GoEmotionsLabelRule.Apply([EmotionLabel.Fear]));
        Assert.Equal((GoEmotionsRuleBranch.SingleLabel, EmotionLabel.Neutral), GoEmotionsLabelRule.Apply([EmotionLabel.Neutral]));
    }

    [Fact]
    public void Several_labels_of_one_group_agree_and_are_kept()
    {
        // e.g. amusement + love: both joy.
        Assert.Equal((GoEmotionsRuleBranch.AgreeingLabels, EmotionLabel.Joy), GoEmotionsLabelRule.Apply([EmotionLabel.Joy, EmotionLabel.Joy]));
    }

    [Fact]
    public void Different_emotion_groups_conflict_and_are_dropped()
    {
        Assert.Equal((GoEmotionsRuleBranch.ConflictingGroupsDropped, null), GoEmotionsLabelRule.Apply([EmotionLabel.Joy, EmotionLabel.Sadness]));
        Assert.Equal(
            (GoEmotionsRuleBranch.ConflictingGroupsDropped, null),
            GoEmotionsLabelRule.Apply([EmotionLabel.Neutral, EmotionLabel.Anger, EmotionLabel.Surprise], neutralYieldsToEmotion: true));
    }

    [Fact]
    public void Neutral_with_one_emotion_group_is_dropped_by_default_and_kept_as_the_emotion_on_request()
    {
        Assert.Equal((GoEmotionsRuleBranch.NeutralWithEmotionDropped, null), GoEmotionsLabelRule.Apply([EmotionLabel.Neutral, EmotionLabel.Anger]));
        Assert.Equal(
            (GoEmotionsRuleBranch.NeutralWithEmotionKept, EmotionLabel.Anger),
            GoEmotionsLabelRule.Apply([EmotionLabel.Neutral, EmotionLabel.Anger, EmotionLabel.Anger], neutralYieldsToEmotion: true));
    }

    [Fact]
    public void A_row_without_labels_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => GoEmotionsLabelRule.Apply([]));
    }

    [Fact]
    public void Loader_maps_ids_through_ekman_groups_and_counts_each_branch()
    {
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            File.WriteAllLines(Path.Combine(dir.FullName, "emotions.txt"), ["amusement", "love", "grief", "anger", "neutral"]);
            File.WriteAllText(Path.Combine(dir.FullName, "ekman_mapping.json"), "{\"joy\": [\"amusement\", \"love\"], \"sadness\": [\"grief\"], \"anger\": [\"anger\"]}");
            File.WriteAllText(
                Path.Combine(dir.FullName, "train.tsv"),
                "haha\t0\ta1\n\"so \"\"sweet\"\", love it\"\t0,1\ta2\nsad and fun\t0,2\ta3\nmeh\t4,3\ta4\nok\t4\ta5\n");

            var loaded = GoEmotionsLoader.Load(dir.FullName, "train");

            Assert.Equal(["a1", "a2", "a5"], loaded.Result.Items.Select(i => i.Id));
            Assert.Equal([EmotionLabel.Joy, EmotionLabel.Joy, EmotionLabel.Neutral], loaded.Result.Items.Select(i => i.Label));
            Assert.Equal("so \"sweet\", love it", loaded.Result.Items[1].Content);
            Assert.Equal(2, loaded.Branches[GoEmotionsRuleBranch.SingleLabel]);
            Assert.Equal(1, loaded.Branches[GoEmotionsRuleBranch.AgreeingLabels]);
            Assert.Equal(1, loaded.Branches[GoEmotionsRuleBranch.ConflictingGroupsDropped]);
            Assert.Equal(1, loaded.Branches[GoEmotionsRuleBranch.NeutralWithEmotionDropped]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
