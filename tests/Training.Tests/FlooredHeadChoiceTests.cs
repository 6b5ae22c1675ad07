using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training.Tests;

public sealed class FlooredHeadChoiceTests
{
    private static readonly Dictionary<EmotionLabel, double> Floors = new()
    {
        [EmotionLabel.Anger] = 0.5,
        [EmotionLabel.Sadness] = 0.5,
        [EmotionLabel.Fear] = 0.5,
    };

    // Ten items per class; the ones not found are read as neutral (or, for neutral, as joy).
    private static ClassificationReport Report(params int[] found)
    {
        var confusion = new int[EmotionLabels.Count][];
        for (var c = 0; c < EmotionLabels.Count; c++)
        {
            confusion[c] = new int[EmotionLabels.Count];
            confusion[c][c] = found[c];
            confusion[c][c == (int)EmotionLabel.Neutral ? (int)EmotionLabel.Joy : (int)EmotionLabel.Neutral] += 10 - found[c];
        }

        return ClassificationReport.FromConfusion(confusion);
    }

    [Fact]
    public void The_floored_head_ships_when_it_raises_the_lowest_floored_recall_within_the_targets()
    {
        var linear = Report(8, 8, 4, 8, 10, 8, 8); // fear found 4 of 10
        var floored = Report(7, 8, 6, 7, 9, 7, 8); // fear 6 of 10, everything else a little worse

        Assert.True(floored.MacroAverage.F1 < linear.MacroAverage.F1);
        Assert.Equal(0.4, FlooredHeadChoice.LowestRecall(linear, Floors), 6);
        Assert.Equal(0.6, FlooredHeadChoice.LowestRecall(floored, Floors), 6);
        Assert.True(FlooredHeadChoice.Ships(floored, linear, Floors, minWeightedF1: 0.56, minMacroF1: 0.40));
    }

    [Fact]
    public void The_floored_head_does_not_ship_below_the_targets_or_without_raising_the_lowest_recall()
    {
        var linear = Report(8, 8, 4, 8, 10, 8, 8);
        var floored = Report(7, 8, 6, 7, 9, 7, 8);
        var noBetter = Report(7, 8, 4, 7, 9, 9, 8); // sadness up, fear still 4 of 10

        Assert.False(FlooredHeadChoice.Ships(floored, linear, Floors, minWeightedF1: 0.9, minMacroF1: 0.40));
        Assert.False(FlooredHeadChoice.Ships(floored, linear, Floors, minWeightedF1: 0.56, minMacroF1: 0.9));
        Assert.False(FlooredHeadChoice.Ships(noBetter, linear, Floors, minWeightedF1: 0.56, minMacroF1: 0.40));
    }

    [Fact]
    public void The_floored_head_ships_whenever_its_macro_f1_is_higher()
    {
        var linear = Report(7, 8, 6, 7, 9, 7, 8);
        var floored = Report(8, 8, 4, 8, 10, 8, 8);

        Assert.True(FlooredHeadChoice.Ships(floored, linear, Floors, minWeightedF1: 0.99, minMacroF1: 0.99));
    }
}
