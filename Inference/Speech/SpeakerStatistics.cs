namespace Emotion.Orleans.Inference;

/// <summary>
/// Running per-feature mean and sum of squared deviations (Welford) of one speaker's utterance
/// features. Immutable: <see cref="Add"/> returns new statistics, so a snapshot can travel with a
/// request to a stateless worker and come back updated.
/// </summary>
public sealed class SpeakerStatistics
{
    private SpeakerStatistics(int count, float[] mean, float[] sumSquares)
    {
        Count = count;
        Mean = mean;
        SumSquares = sumSquares;
    }

    /// <summary>Utterances seen.</summary>
    public int Count { get; }

    /// <summary>Mean of each feature over the utterances seen (zeros before the first).</summary>
    public float[] Mean { get; }

    /// <summary>Sum of squared deviations from <see cref="Mean"/> of each feature.</summary>
    public float[] SumSquares { get; }

    /// <summary>Number of features.</summary>
    public int Width => Mean.Length;

    /// <summary>Statistics of no utterance yet.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is not positive.</exception>
    public static SpeakerStatistics Empty(int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        return new(0, new float[width], new float[width]);
    }

    /// <summary>Restores statistics (e.g. from a wire snapshot), checking them.</summary>
    /// <exception cref="ArgumentException">Lengths differ, the count is negative, or a value is not finite or a sum is negative.</exception>
    public static SpeakerStatistics From(int count, float[] mean, float[] sumSquares)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(sumSquares);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (mean.Length == 0 || mean.Length != sumSquares.Length)
        {
            throw new ArgumentException($"Speaker statistics need one mean and one sum of squares per feature; got {mean.Length} and {sumSquares.Length}.", nameof(sumSquares));
        }

        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(mean) || !System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(sumSquares) || sumSquares.Any(s => s < 0f))
        {
            throw new ArgumentException("Speaker statistics must be finite, with non-negative sums of squares.", nameof(sumSquares));
        }

        return new(count, [.. mean], [.. sumSquares]);
    }

    /// <summary>The statistics with one more utterance's features.</summary>
    /// <exception cref="ArgumentException">The features have another width or hold a non-finite value.</exception>
    public SpeakerStatistics Add(ReadOnlySpan<float> features)
    {
        if (features.Length != Width)
        {
            throw new ArgumentException($"Speaker statistics hold {Width} features; got {features.Length}.", nameof(features));
        }

        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(features))
        {
            throw new ArgumentException("Speaker features must be finite.", nameof(features));
        }

        var count = Count + 1;
        var mean = new float[Width];
        var sums = new float[Width];
        for (var j = 0; j < Width; j++)
        {
            var delta = (double)features[j] - Mean[j];
            var updated = Mean[j] + (delta / count);
            mean[j] = (float)updated;
            sums[j] = (float)(SumSquares[j] + (delta * (features[j] - updated)));
        }

        return new(count, mean, sums);
    }
}
