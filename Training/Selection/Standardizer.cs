using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>Per-feature mean and standard deviation on a training split.</summary>
public static class Standardizer
{
    /// <summary>Smallest scale written; a constant feature gets scale 1 so it standardises to 0.</summary>
    public const float MinimumScale = 1e-6f;

    /// <summary>Mean and population standard deviation of every feature (constant features get scale 1).</summary>
    public static (float[] Mean, float[] Scale) Fit(IReadOnlyList<float[]> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Count == 0)
        {
            throw new ArgumentException("Need at least one vector.", nameof(features));
        }

        var d = features[0].Length;
        var sum = new double[d];
        foreach (var x in features)
        {
            for (var j = 0; j < d; j++)
            {
                sum[j] += x[j];
            }
        }

        var mean = sum.Select(s => s / features.Count).ToArray();
        var sq = new double[d];
        foreach (var x in features)
        {
            for (var j = 0; j < d; j++)
            {
                var dev = x[j] - mean[j];
                sq[j] += dev * dev;
            }
        }

        var scale = sq.Select(s => (float)Math.Sqrt(s / features.Count)).Select(s => s > MinimumScale ? s : 1f).ToArray();
        return ([.. mean.Select(m => (float)m)], scale);
    }

    /// <summary>A <see cref="FeatureSelection"/> of <paramref name="indices"/> with mean and scale fitted on <paramref name="train"/>.</summary>
    public static FeatureSelection Selection(IReadOnlyList<float[]> train, IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var (mean, scale) = Fit(train);
        var sorted = indices.Order().ToArray();
        return new FeatureSelection(sorted, [.. sorted.Select(i => mean[i])], [.. sorted.Select(i => scale[i])]);
    }

    /// <summary>Applies a selection to every vector.</summary>
    public static float[][] Apply(FeatureSelection selection, IReadOnlyList<float[]> features)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(features);
        var output = new float[features.Count][];
        for (var i = 0; i < output.Length; i++)
        {
            output[i] = new float[selection.Count];
            selection.Apply(features[i], output[i]);
        }

        return output;
    }
}
