namespace Emotion.Orleans.Inference.Tests;

public sealed class WeightedSuppressionTests
{
    [Fact]
    public void Overlapping_detections_merge_into_their_score_weighted_mean_with_the_best_score()
    {
        FaceBox[] candidates = [new(10, 10, 20, 20, 0.9f), new(12, 10, 20, 20, 0.3f), new(100, 100, 10, 10, 0.6f)];

        var merged = WeightedSuppression.Merge(candidates, 0.3f);

        Assert.Equal(2, merged.Count);
        Assert.Equal(0.9f, merged[0].Score);
        Assert.Equal(((10 * 0.9f) + (12 * 0.3f)) / 1.2f, merged[0].X, 4);
        Assert.Equal(20f, merged[0].Width, 4);
        Assert.Equal(new FaceBox(100, 100, 10, 10, 0.6f), merged[1]);
    }

    [Fact]
    public void A_threshold_of_one_keeps_every_detection_and_terminates()
    {
        FaceBox[] candidates = [new(10, 10, 20, 20, 0.9f), new(10, 10, 20, 20, 0.8f)];

        var merged = WeightedSuppression.Merge(candidates, 1f);

        Assert.Equal(candidates, merged);
    }

    [Fact]
    public void Iou_is_one_for_the_same_box_and_zero_for_disjoint_ones()
    {
        var box = new FaceBox(0, 0, 10, 10, 1f);

        Assert.Equal(1f, WeightedSuppression.Iou(box, box));
        Assert.Equal(0f, WeightedSuppression.Iou(box, new FaceBox(20, 0, 10, 10, 1f)));
        Assert.Equal(50f / 150f, WeightedSuppression.Iou(box, new FaceBox(5, 0, 10, 10, 1f)), 5);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void A_threshold_outside_zero_to_one_is_refused(float threshold) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => WeightedSuppression.Merge([], threshold));
}
