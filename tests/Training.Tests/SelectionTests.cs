namespace Emotion.Orleans.Training.Tests;

public sealed class SelectionTests
{
    private static readonly int[] Informative = [3, 11, 17, 25, 38];

    [Fact]
    public void L1_selection_keeps_the_informative_features_and_drops_most_noise()
    {
        var train = Synthetic.Problem(1400, 40, Informative, 1.0f, seed: 1);
        var validation = Synthetic.Problem(700, 40, Informative, 1.0f, seed: 2);

        var result = L1FeatureSelector.Select(train, validation);

        Assert.Subset(result.Selection.Indices.ToHashSet(), Informative.ToHashSet());
        Assert.True(result.Selection.Count <= 8, $"kept {result.Selection.Count}: {string.Join(",", result.Selection.Indices)}; path {string.Join(" | ", result.Path)}");
        Assert.True(result.Path[0].Kept < result.Path[^1].Kept);
    }

    [Fact]
    public void L1_selection_is_deterministic_and_stores_train_mean_and_scale()
    {
        var train = Synthetic.Problem(700, 20, [2, 5], 1.5f, seed: 3);
        var validation = Synthetic.Problem(350, 20, [2, 5], 1.5f, seed: 4);

        var a = L1FeatureSelector.Select(train, validation);
        var b = L1FeatureSelector.Select(train, validation);

        Assert.Equal(a.Selection.Indices, b.Selection.Indices);
        Assert.Equal(a.Selection.Mean, b.Selection.Mean);
        Assert.Equal(a.ChosenL1, b.ChosenL1);
        var j = a.Selection.Indices[0];
        var mean = train.Features.Average(x => x[j]);
        Assert.Equal(mean, a.Selection.Mean[0], 4);
    }

    [Fact]
    public void Tree_importance_ranks_the_informative_features_first()
    {
        var train = Synthetic.Problem(1400, 40, Informative, 1.0f, seed: 5);

        var result = TreeImportanceSelector.Select(train, new TreeSelectionOptions(TopK: 5, CumulativeImportance: null, Trees: 30));

        Assert.Equal(Informative.ToHashSet(), result.Ranking.Take(5).ToHashSet());
        Assert.Equal(Informative, result.Selection.Indices);
    }

    [Fact]
    public void Tree_selection_with_a_cumulative_share_keeps_fewer_features_for_a_smaller_share()
    {
        var train = Synthetic.Problem(700, 30, Informative[..3], 1.0f, seed: 6);

        var small = TreeImportanceSelector.Select(train, new TreeSelectionOptions(CumulativeImportance: 0.5f, Trees: 20));
        var large = TreeImportanceSelector.Select(train, new TreeSelectionOptions(CumulativeImportance: 0.99f, Trees: 20));

        Assert.True(small.Selection.Count < large.Selection.Count);
        Assert.Subset(large.Selection.Indices.ToHashSet(), small.Selection.Indices.ToHashSet());
    }

    [Fact]
    public void Tree_importance_is_deterministic_for_a_seed()
    {
        var train = Synthetic.Problem(700, 20, Informative[..2], 1.0f, seed: 7);
        var options = new TreeSelectionOptions(TopK: 4, Trees: 10);

        var a = TreeImportanceSelector.Select(train, options);
        var b = TreeImportanceSelector.Select(train, options);

        Assert.Equal(a.Importance, b.Importance);
    }

    [Fact]
    public void Tree_selection_with_probes_keeps_informative_features_and_little_noise()
    {
        var train = Synthetic.Problem(1400, 60, Informative, 1.0f, seed: 8);

        var result = TreeImportanceSelector.Select(train, new TreeSelectionOptions(CumulativeImportance: null, Trees: 30, Probes: 20));

        Assert.Subset(result.Selection.Indices.ToHashSet(), Informative.ToHashSet());
        Assert.True(result.Selection.Count <= 20, $"kept {result.Selection.Count}: {string.Join(",", result.Selection.Indices)}");
        Assert.True(result.ProbeThreshold > 0f);
        Assert.Equal(60, result.Importance.Length);
    }

    [Fact]
    public void L1_choice_uses_the_scored_points_when_the_first_lambda_keeps_no_feature()
    {
        L1PathPoint[] path =
        [
            new(1.0f, 0, double.NaN, double.NaN, 1),
            new(0.5f, 2, 0.90, 0.6, 5),
            new(0.2f, 5, 0.80, 0.7, 5),
            new(0.1f, 30, 0.85, 0.7, 5),
        ];

        Assert.Equal(2, L1FeatureSelector.Choose(path, 0.01f));
        Assert.Equal(1, L1FeatureSelector.Choose(path, 0.2f));
    }

    [Fact]
    public void L1_choice_takes_the_last_point_when_nothing_was_scored()
    {
        L1PathPoint[] path = [new(1.0f, 1, double.NaN, double.NaN, 1), new(0.5f, 3, double.NaN, double.NaN, 1)];

        Assert.Equal(1, L1FeatureSelector.Choose(path, 0.01f));
    }
}
