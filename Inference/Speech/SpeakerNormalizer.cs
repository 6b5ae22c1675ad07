namespace Emotion.Orleans.Inference;

/// <summary>
/// Per-speaker feature normalisation: x' = (x − μ) / σ with the speaker's mean and variance shrunk
/// towards a prior learned over the training speakers. The prior counts for
/// <see cref="PriorWeight"/> utterances, so the first utterances of a call are normalised mostly
/// by the prior and later ones mostly by the caller's own statistics:
/// μ = (n m + k μ₀)/(n + k), σ² = (S + k σ₀² + n k/(n + k) (m − μ₀)²)/(n + k),
/// where n, m and S are the speaker's count, mean and sum of squared deviations; the result is
/// clipped to ±<see cref="MaxDeviation"/>.
/// </summary>
public sealed class SpeakerNormalizer
{
    /// <summary>
    /// Normalised values are clipped to ± this many standard deviations: a feature that far out
    /// (a synthetic tone's perfectly steady pitch, a clipped recording) says the input is unlike any
    /// training speaker, and unclipped it alone would drive the head to near certainty.
    /// </summary>
    public const double MaxDeviation = 5;

    private const double MinimumVariance = 1e-8;

    /// <summary>Creates the normaliser.</summary>
    /// <exception cref="ArgumentException">Lengths differ, a variance is not positive, a value is not finite or the weight is not positive.</exception>
    public SpeakerNormalizer(float[] priorMean, float[] priorVariance, float priorWeight)
    {
        ArgumentNullException.ThrowIfNull(priorMean);
        ArgumentNullException.ThrowIfNull(priorVariance);
        if (priorMean.Length == 0 || priorMean.Length != priorVariance.Length)
        {
            throw new ArgumentException($"The speaker prior needs one mean and one variance per feature; got {priorMean.Length} and {priorVariance.Length}.", nameof(priorVariance));
        }

        if (priorMean.Any(m => !float.IsFinite(m)) || priorVariance.Any(v => !(v > 0f) || !float.IsFinite(v)))
        {
            throw new ArgumentException("The speaker prior's means must be finite and its variances positive and finite.", nameof(priorVariance));
        }

        if (!(priorWeight > 0f) || !float.IsFinite(priorWeight))
        {
            throw new ArgumentException("The speaker prior's weight must be positive and finite.", nameof(priorWeight));
        }

        PriorMean = priorMean;
        PriorVariance = priorVariance;
        PriorWeight = priorWeight;
    }

    /// <summary>μ₀: mean of each feature over the training speakers.</summary>
    public float[] PriorMean { get; }

    /// <summary>σ₀²: average within-speaker variance of each feature.</summary>
    public float[] PriorVariance { get; }

    /// <summary>k: how many utterances the prior counts for.</summary>
    public float PriorWeight { get; }

    /// <summary>Number of features.</summary>
    public int Width => PriorMean.Length;

    /// <summary>Normalises <paramref name="features"/> with <paramref name="speaker"/>'s statistics (which should already include them).</summary>
    /// <exception cref="ArgumentException">A width differs.</exception>
    public float[] Normalize(ReadOnlySpan<float> features, SpeakerStatistics speaker)
    {
        ArgumentNullException.ThrowIfNull(speaker);
        if (features.Length != Width || speaker.Width != Width)
        {
            throw new ArgumentException($"The speaker normaliser reads {Width} features; got {features.Length} features and statistics of {speaker.Width}.", nameof(features));
        }

        var n = (double)speaker.Count;
        var k = (double)PriorWeight;
        var output = new float[Width];
        for (var j = 0; j < Width; j++)
        {
            var shift = speaker.Mean[j] - PriorMean[j];
            var mean = ((n * speaker.Mean[j]) + (k * PriorMean[j])) / (n + k);
            var variance = (speaker.SumSquares[j] + (k * PriorVariance[j]) + (n * k / (n + k) * shift * shift)) / (n + k);
            output[j] = (float)Math.Clamp((features[j] - mean) / Math.Sqrt(Math.Max(variance, MinimumVariance)), -MaxDeviation, MaxDeviation);
        }

        return output;
    }

    /// <summary>
    /// Learns the prior from training utterances grouped by speaker: μ₀ is the mean of the speaker
    /// means, σ₀² the mean of the within-speaker variances.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, there is no utterance, or widths differ.</exception>
    public static SpeakerNormalizer Fit(IReadOnlyList<float[]> features, IReadOnlyList<string> speakers, float priorWeight)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(speakers);
        if (features.Count == 0 || features.Count != speakers.Count)
        {
            throw new ArgumentException("Fitting the speaker prior needs one speaker per utterance and at least one utterance.", nameof(speakers));
        }

        var width = features[0].Length;
        var groups = Statistics(features, speakers);
        var mean = new double[width];
        var variance = new double[width];
        foreach (var s in groups.Values)
        {
            for (var j = 0; j < width; j++)
            {
                mean[j] += s.Mean[j];
                variance[j] += s.Count > 1 ? s.SumSquares[j] / s.Count : 0d;
            }
        }

        var floor = 1e-6;
        return new SpeakerNormalizer(
            [.. mean.Select(m => (float)(m / groups.Count))],
            [.. variance.Select(v => (float)Math.Max(v / groups.Count, floor))],
            priorWeight);
    }

    /// <summary>Each speaker's statistics over all of their utterances.</summary>
    /// <exception cref="ArgumentException">Lengths or widths differ.</exception>
    public static IReadOnlyDictionary<string, SpeakerStatistics> Statistics(IReadOnlyList<float[]> features, IReadOnlyList<string> speakers)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(speakers);
        if (features.Count != speakers.Count)
        {
            throw new ArgumentException("One speaker per utterance is needed.", nameof(speakers));
        }

        var groups = new Dictionary<string, SpeakerStatistics>(StringComparer.Ordinal);
        for (var i = 0; i < features.Count; i++)
        {
            var s = groups.TryGetValue(speakers[i], out var found) ? found : SpeakerStatistics.Empty(features[i].Length);
            groups[speakers[i]] = s.Add(features[i]);
        }

        return groups;
    }
}
