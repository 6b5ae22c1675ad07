namespace Emotion.Orleans.Inference;

/// <summary>
/// The features a selection step kept (L1 for text, tree importance for speech and face), with the
/// per-feature standardisation learned on the training split.
/// </summary>
public sealed class FeatureSelection
{
    private readonly int _maxIndex;

    /// <summary>Creates the selection.</summary>
    /// <exception cref="ArgumentException">Lengths disagree, indices repeat or a scale is not positive.</exception>
    public FeatureSelection(int[] indices, float[] mean, float[] scale)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(scale);
        if (indices.Length == 0 || mean.Length != indices.Length || scale.Length != indices.Length)
        {
            throw new ArgumentException("Selection needs at least one index and one mean and scale per index.");
        }

        if (indices.Distinct().Count() != indices.Length || indices.Any(i => i < 0))
        {
            throw new ArgumentException("Selected indices must be distinct and non-negative.", nameof(indices));
        }

        if (scale.Any(s => !(s > 0f) || !float.IsFinite(s)) || mean.Any(m => !float.IsFinite(m)))
        {
            throw new ArgumentException("Scales must be positive and finite; means finite.", nameof(scale));
        }

        Indices = indices;
        _maxIndex = indices.Max();
        Mean = mean;
        Scale = scale;
    }

    /// <summary>Kept feature indices into the encoder output.</summary>
    public int[] Indices { get; }

    /// <summary>Training mean of each kept feature.</summary>
    public float[] Mean { get; }

    /// <summary>Training standard deviation of each kept feature.</summary>
    public float[] Scale { get; }

    /// <summary>Number of kept features.</summary>
    public int Count => Indices.Length;

    /// <summary>Writes the standardised kept features into <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="output"/> is not <see cref="Count"/> wide, or <paramref name="features"/> ends before a kept index.
    /// </exception>
    public void Apply(ReadOnlySpan<float> features, Span<float> output)
    {
        if (output.Length != Indices.Length)
        {
            throw new ArgumentException($"Selection writes {Indices.Length} features; the output holds {output.Length}.", nameof(output));
        }

        if (features.Length <= _maxIndex)
        {
            throw new ArgumentException($"Selection reads feature {_maxIndex}; the input has {features.Length}.", nameof(features));
        }

        for (var i = 0; i < Indices.Length; i++)
        {
            output[i] = (features[Indices[i]] - Mean[i]) / Scale[i];
        }
    }
}
