using Emotion.Orleans.Inference;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Emotion.Orleans.Training;

/// <summary>Options of <see cref="TreeImportanceSelector"/>.</summary>
/// <param name="TopK">Keep at most this many features (null: no count limit).</param>
/// <param name="CumulativeImportance">
/// Keep the most important features until their share of the total importance reaches this fraction
/// (null: no share limit). With both limits the stricter one wins; with neither, every feature with
/// non-zero importance is kept.
/// </param>
/// <param name="Trees">Boosted trees per one-vs-rest model.</param>
/// <param name="Leaves">Leaves per tree.</param>
/// <param name="MinimumExamplesPerLeaf">Smallest leaf.</param>
/// <param name="LearningRate">Shrinkage.</param>
/// <param name="Seed">ML.NET context seed.</param>
/// <param name="Threads">FastTree threads (null: ML.NET's default).</param>
/// <param name="Probes">
/// Number of probe features (copies of real features with their rows shuffled, so they carry no
/// signal) trained alongside; when above 0, only features more important than every probe are kept
/// (before the top-k and share limits). A data-driven cut that needs no k.
/// </param>
public sealed record TreeSelectionOptions(
    int? TopK = null,
    float? CumulativeImportance = 0.9f,
    int Trees = 100,
    int Leaves = 20,
    int MinimumExamplesPerLeaf = 10,
    double LearningRate = 0.2,
    int Seed = 1,
    int? Threads = null,
    int Probes = 0);

/// <summary>What the tree selection found.</summary>
/// <param name="Selection">Kept features (ascending index) with train mean and scale.</param>
/// <param name="Importance">
/// Importance of every input feature: for each one-vs-rest model, the split gains of the feature
/// summed over all trees as a share of that model's total gain; then summed over the models.
/// </param>
/// <param name="Ranking">All feature indices by decreasing importance (ties by index).</param>
/// <param name="ProbeThreshold">Largest probe importance (0 without probes).</param>
public sealed record TreeSelectionResult(FeatureSelection Selection, float[] Importance, int[] Ranking, float ProbeThreshold = 0f);

/// <summary>
/// Feature selection for speech and face features: gradient-boosted trees (ML.NET FastTree), one
/// binary model per label present (that label vs the rest); a feature's importance is the split
/// gain it earns (sum of <c>SplitGains</c> over the trees), as a share per model, summed over the
/// seven models. The top-k or
/// the smallest set that reaches a cumulative-importance share is kept.
/// </summary>
public static class TreeImportanceSelector
{
    /// <summary>Runs the selection.</summary>
    /// <exception cref="InvalidOperationException">No feature earned any importance (e.g. all constant).</exception>
    public static TreeSelectionResult Select(LabelledFeatures train, TreeSelectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options ??= new TreeSelectionOptions();
        var withProbes = Importance(WithProbes(train, options.Probes, options.Seed), options);
        var importance = withProbes[..train.Width];
        var probeThreshold = options.Probes > 0 ? withProbes[train.Width..].Max() : 0f;
        var ranking = Enumerable.Range(0, train.Width).OrderByDescending(j => importance[j]).ThenBy(j => j).ToArray();
        var total = importance.Sum();
        if (!(total > 0))
        {
            throw new InvalidOperationException("No feature earned any split gain: the features carry no usable signal.");
        }

        var kept = new List<int>();
        var share = 0.0;
        foreach (var j in ranking)
        {
            if (importance[j] <= probeThreshold || (options.TopK is { } k && kept.Count >= k)
                || (options.CumulativeImportance is { } target && share >= target))
            {
                break;
            }

            kept.Add(j);
            share += importance[j] / total;
        }

        if (kept.Count == 0)
        {
            throw new InvalidOperationException("No feature beat the shuffled probe features: the features carry no usable signal.");
        }

        return new TreeSelectionResult(Standardizer.Selection(train.Features, kept), importance, ranking, probeThreshold);
    }

    /// <summary>Appends <paramref name="probes"/> columns: real columns spread across the width, each with its rows shuffled.</summary>
    private static LabelledFeatures WithProbes(LabelledFeatures train, int probes, int seed)
    {
        if (probes <= 0)
        {
            return train;
        }

        var random = new Random(seed);
        var rows = train.Features.Select(x => { var r = new float[train.Width + probes]; x.CopyTo(r, 0); return r; }).ToArray();
        var order = Enumerable.Range(0, train.Count).ToArray();
        for (var p = 0; p < probes; p++)
        {
            var source = (int)((long)p * train.Width / probes);
            random.Shuffle(order);
            for (var i = 0; i < rows.Length; i++)
            {
                rows[i][train.Width + p] = train.Features[order[i]][source];
            }
        }

        return new LabelledFeatures(rows, train.Labels);
    }

    private static float[] Importance(LabelledFeatures train, TreeSelectionOptions options)
    {
        var context = new MLContext(options.Seed);
        var schema = SchemaDefinition.Create(typeof(BinaryRow));
        schema[nameof(BinaryRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, train.Width);
        var importance = new float[train.Width];
        var counts = train.CountsPerLabel();
        for (var c = 0; c < EmotionLabels.Count; c++)
        {
            if (counts[c] == 0 || counts[c] == train.Count)
            {
                continue;
            }

            var rows = new BinaryRow[train.Count];
            for (var i = 0; i < rows.Length; i++)
            {
                rows[i] = new BinaryRow { Features = train.Features[i], Label = (int)train.Labels[i] == c };
            }

            var data = context.Data.LoadFromEnumerable(rows, schema);
            var trainer = context.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                NumberOfTrees = options.Trees,
                NumberOfLeaves = options.Leaves,
                MinimumExampleCountPerLeaf = options.MinimumExamplesPerLeaf,
                LearningRate = options.LearningRate,
                NumberOfThreads = options.Threads,
                Seed = options.Seed,
                FeatureColumnName = nameof(BinaryRow.Features),
                LabelColumnName = nameof(BinaryRow.Label),
            });
            var model = trainer.Fit(data);
            // Gain importance: the loss reduction of every split, summed per split feature, then
            // normalised per model so each label's one-vs-rest model has an equal say.
            var gains = new double[train.Width];
            foreach (var tree in model.Model.SubModel.TrainedTreeEnsemble.Trees)
            {
                for (var node = 0; node < tree.NumberOfNodes; node++)
                {
                    gains[tree.NumericalSplitFeatureIndexes[node]] += tree.SplitGains[node];
                }
            }

            var total = gains.Sum();
            if (total > 0)
            {
                for (var j = 0; j < importance.Length; j++)
                {
                    importance[j] += (float)(gains[j] / total);
                }
            }
        }

        return importance;
    }

    private sealed class BinaryRow
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }
}
