using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training.Tests;

public sealed class LoaderTests
{
    [SkippableFact]
    public void Meld_train_has_the_documented_label_counts()
    {
        var result = MeldLoader.LoadSplit(Datasets.Require("meld"), "train");

        Assert.Equal([1109, 271, 268, 1743, 4710, 683, 1205], result.CountsPerLabel());
        Assert.Empty(result.Dropped);
        Assert.Contains(result.Items, i => i.Content.Contains('’', StringComparison.Ordinal));
        Assert.Equal("dia0_utt0", result.Items[0].Id);
        Assert.Equal("Chandler", result.Items[0].Speaker);
        Assert.All(result.Items, i => Assert.False(string.IsNullOrWhiteSpace(i.Speaker)));
        Assert.Equal(1109, MeldLoader.LoadSplit(Datasets.Require("meld"), "dev").Items.Count);
    }

    [SkippableFact]
    public void GoEmotions_train_keeps_single_and_agreeing_rows_and_every_row_is_accounted_for()
    {
        var loaded = GoEmotionsLoader.Load(Datasets.Require("goemotions"), "train");

        Assert.Equal(43_410, loaded.Branches.Values.Sum());
        Assert.Equal(36_308, loaded.Branches[GoEmotionsRuleBranch.SingleLabel]);
        Assert.Equal(
            loaded.Branches[GoEmotionsRuleBranch.SingleLabel] + loaded.Branches[GoEmotionsRuleBranch.AgreeingLabels],
            loaded.Result.Items.Count);
        Assert.True(loaded.Branches[GoEmotionsRuleBranch.ConflictingGroupsDropped] > 0);
        Assert.All(loaded.Result.CountsPerLabel(), c => Assert.True(c > 0));
    }

    [SkippableFact]
    public void Ravdess_has_1200_files_from_20_actors_and_labels_agree_with_file_names()
    {
        var result = RavdessLoader.Load(Datasets.Require("ravdess"));

        Assert.Equal(1200, result.Items.Count);
        Assert.Empty(result.Dropped);
        Assert.Equal(20, result.Items.Select(i => i.Group).Distinct().Count());
        Assert.All(result.Items, i => Assert.Equal(RavdessFileName.Parse(i.Id).Label, i.Label));
        // 8 emotion codes × 2 statements × 2 repetitions × intensities: neutral has 4 per actor plus calm's 8.
        Assert.Equal(20 * 12, result.CountsPerLabel()[(int)EmotionLabel.Neutral]);
    }

    [Fact]
    public void Ravdess_file_name_fields_are_parsed()
    {
        var name = RavdessFileName.Parse("Actor_12/03-01-06-02-01-02-12.wav");

        Assert.Equal(new RavdessFileName(3, 1, 6, 2, 1, 2, 12), name);
        Assert.Equal(EmotionLabel.Fear, name.Label);
        Assert.Equal(EmotionLabel.Neutral, RavdessFileName.Parse("03-01-02-01-01-01-01.wav").Label);
        Assert.Throws<FormatException>(() => RavdessFileName.Parse("03-01-09-01-01-01-01.wav"));
        Assert.Throws<FormatException>(() => RavdessFileName.Parse("not-a-ravdess-name.wav"));
    }

    [SkippableFact]
    public void Fer2013_clean_filter_drops_cross_split_copies_conflicts_and_duplicates()
    {
        var folder = Datasets.Require("fer2013");
        var all = Fer2013Loader.Load(Path.Combine(folder, "train"), Fer2013Filter.None);
        var clean = Fer2013Loader.Load(Path.Combine(folder, "train"), Fer2013Filter.Clean);
        var dev = Fer2013Loader.Load(Path.Combine(folder, "dev"), Fer2013Filter.Clean);

        Assert.Equal(28_709, all.Items.Count);
        Assert.True(clean.Dropped["identical copy with another label"] > 0);
        Assert.True(clean.Dropped["identical copy in another split"] > 0);
        Assert.True(clean.Dropped["duplicate within split"] > 0);
        Assert.Equal(28_709, clean.Items.Count + clean.Dropped.Values.Sum());
        Assert.Empty(clean.Items.Select(i => i.Id).Intersect(dev.Items.Select(i => i.Id)));
        Assert.True(dev.Items.Count < 3_589);
    }
}

public sealed class ItemSplitTests
{
    private static readonly LabelledItem[] Items =
        [.. Enumerable.Range(0, 40).Select(i => new LabelledItem("ravdess", $"f{i}", Inference.Modality.Speech, (Inference.EmotionLabel)(i % 7), $"/x/{i}.wav", (i % 8).ToString("D2", System.Globalization.CultureInfo.InvariantCulture)))];

    [Fact]
    public void Group_split_keeps_every_group_on_one_side()
    {
        var heldOutGroups = ItemSplits.ChooseGroups(Items, 2, seed: 4);

        var (kept, heldOut) = ItemSplits.ByGroup(Items, heldOutGroups);

        Assert.Equal(2, heldOutGroups.Count);
        Assert.Equal(10, heldOut.Count);
        Assert.Equal(40, kept.Count + heldOut.Count);
        Assert.Empty(kept.Select(i => i.Group).Intersect(heldOut.Select(i => i.Group)));
        Assert.Equal(heldOutGroups, ItemSplits.ChooseGroups(Items, 2, seed: 4));
    }
}
