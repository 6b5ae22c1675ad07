using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>Feature vectors (all the same width) with one label each: what every trainer here consumes.</summary>
public sealed class LabelledFeatures
{
    /// <summary>Creates the set.</summary>
    /// <exception cref="ArgumentException">Counts disagree, the set is empty, widths differ or a value is not finite.</exception>
    public LabelledFeatures(IReadOnlyList<float[]> features, IReadOnlyList<EmotionLabel> labels)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (features.Count == 0 || features.Count != labels.Count)
        {
            throw new ArgumentException($"Need one label per feature vector and at least one example ({features.Count} vectors, {labels.Count} labels).");
        }

        var width = features[0].Length;
        if (width == 0)
        {
            throw new ArgumentException("Feature vectors are empty.", nameof(features));
        }

        for (var i = 0; i < features.Count; i++)
        {
            if (features[i].Length != width)
            {
                throw new ArgumentException($"Vector {i} has {features[i].Length} features; the first has {width}.", nameof(features));
            }

            foreach (var v in features[i])
            {
                if (!float.IsFinite(v))
                {
                    throw new ArgumentException($"Vector {i} holds a non-finite value.", nameof(features));
                }
            }

            if ((uint)labels[i] >= EmotionLabels.Count)
            {
                throw new ArgumentException($"Label {i} is outside the label space.", nameof(labels));
            }
        }

        Features = features;
        Labels = labels;
        Width = width;
    }

    /// <summary>The vectors.</summary>
    public IReadOnlyList<float[]> Features { get; }

    /// <summary>The labels.</summary>
    public IReadOnlyList<EmotionLabel> Labels { get; }

    /// <summary>Number of examples.</summary>
    public int Count => Features.Count;

    /// <summary>Width of every vector.</summary>
    public int Width { get; }

    /// <summary>Examples per label, in label order.</summary>
    public int[] CountsPerLabel()
    {
        var counts = new int[EmotionLabels.Count];
        foreach (var label in Labels)
        {
            counts[(int)label]++;
        }

        return counts;
    }

    /// <summary>
    /// "Balanced" class weights n / (C · n_c), 0 for absent classes, so each present class carries
    /// the same total weight in the loss.
    /// </summary>
    public float[] BalancedClassWeights()
    {
        var counts = CountsPerLabel();
        var present = counts.Count(c => c > 0);
        return [.. counts.Select(c => c == 0 ? 0f : Count / (float)(present * c))];
    }

    /// <summary>The subset at <paramref name="indices"/>.</summary>
    public LabelledFeatures Subset(IEnumerable<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var list = indices.ToArray();
        return new LabelledFeatures([.. list.Select(i => Features[i])], [.. list.Select(i => Labels[i])]);
    }

    /// <summary>
    /// A deterministic stratified split: within each label, a seeded shuffle puts
    /// <paramref name="fraction"/> of the examples (rounded, at least one when a label has two or more) in the second part.
    /// </summary>
    public (LabelledFeatures First, LabelledFeatures Second) StratifiedSplit(double fraction, int seed)
    {
        var (first, second) = StratifiedSplitIndices(fraction, seed);
        return (Subset(first), Subset(second));
    }

    /// <summary>The row indices of <see cref="StratifiedSplit"/>'s two parts, each ascending.</summary>
    public (int[] First, int[] Second) StratifiedSplitIndices(double fraction, int seed)
    {
        if (fraction is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), "Fraction must be in (0, 1).");
        }

        var random = new Random(seed);
        var first = new List<int>();
        var second = new List<int>();
        for (var c = 0; c < EmotionLabels.Count; c++)
        {
            var members = Enumerable.Range(0, Count).Where(i => (int)Labels[i] == c).ToArray();
            random.Shuffle(members);
            var take = members.Length < 2 ? 0 : Math.Max(1, (int)Math.Round(members.Length * fraction));
            second.AddRange(members.Take(take));
            first.AddRange(members.Skip(take));
        }

        first.Sort();
        second.Sort();
        return ([.. first], [.. second]);
    }
}
