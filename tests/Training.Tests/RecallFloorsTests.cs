using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training.Tests;

public sealed class RecallFloorsTests
{
    // Four anger items whose anger logit trails neutral by 0.05, 0.15, 0.25 and 0.35, and four neutral items.
    private static (float[][] Logits, EmotionLabel[] Labels) Data()
    {
        var logits = new List<float[]>();
        var labels = new List<EmotionLabel>();
        for (var i = 1; i <= 4; i++)
        {
            var row = new float[EmotionLabels.Count];
            row[(int)EmotionLabel.Neutral] = 1f;
            row[(int)EmotionLabel.Anger] = 1.05f - (0.1f * i);
            logits.Add(row);
            labels.Add(EmotionLabel.Anger);

            var neutral = new float[EmotionLabels.Count];
            neutral[(int)EmotionLabel.Neutral] = 1f;
            neutral[(int)EmotionLabel.Anger] = 0f;
            logits.Add(neutral);
            labels.Add(EmotionLabel.Neutral);
        }

        return ([.. logits], [.. labels]);
    }

    [Fact]
    public void The_smallest_offset_that_reaches_the_floor_is_chosen_and_other_classes_keep_zero()
    {
        var (logits, labels) = Data();

        var offsets = RecallFloors.Offsets(logits, labels, new Dictionary<EmotionLabel, double> { [EmotionLabel.Anger] = 0.5 }, step: 0.1f);

        // Two of four anger items need the anger logit raised past 0.15: two steps of 0.1.
        Assert.Equal(0.2f, offsets[(int)EmotionLabel.Anger], 4);
        Assert.All(offsets.Where((_, c) => c != (int)EmotionLabel.Anger), o => Assert.Equal(0f, o));
        var recall = RecallFloors.Recall(logits, labels, offsets);
        Assert.Equal(0.5, recall[(int)EmotionLabel.Anger]);
        Assert.Equal(1.0, recall[(int)EmotionLabel.Neutral]);
    }

    [Fact]
    public void An_unreachable_floor_stops_at_the_cap_and_a_class_with_no_items_is_left_alone()
    {
        var (logits, labels) = Data();

        var offsets = RecallFloors.Offsets(logits, labels, new Dictionary<EmotionLabel, double> { [EmotionLabel.Anger] = 1.0, [EmotionLabel.Fear] = 0.5 }, step: 0.1f, maxOffset: 0.3f);

        Assert.Equal(0.3f, offsets[(int)EmotionLabel.Anger], 4);
        Assert.Equal(0f, offsets[(int)EmotionLabel.Fear]);
        Assert.True(double.IsNaN(RecallFloors.Recall(logits, labels, offsets)[(int)EmotionLabel.Fear]));
    }

    [Fact]
    public void Rows_that_do_not_match_the_labels_are_refused()
    {
        Assert.Throws<ArgumentException>(() => RecallFloors.Offsets([new float[3]], [EmotionLabel.Joy], new Dictionary<EmotionLabel, double>()));
        Assert.Throws<ArgumentException>(() => RecallFloors.Offsets([new float[7]], [], new Dictionary<EmotionLabel, double>()));
    }
}
