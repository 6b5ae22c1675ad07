using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>
/// One fusion training or evaluation example: the class embeddings z_i of whichever modalities are
/// present (slot order text, speech, face; null = missing) and one label. Aligned data (e.g. MELD
/// with its clips) gives these directly; <see cref="CompositeBuilder"/> builds them by pairing
/// single-modality items of the same label.
/// </summary>
public sealed record FusionExample
{
    /// <summary>Creates the example.</summary>
    /// <exception cref="ArgumentException">Not three slots, no modality present, or an embedding is not seven finite logits.</exception>
    public FusionExample(IReadOnlyList<float[]?> logits, EmotionLabel label)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Count != ModalityAttention.ModalityCount)
        {
            throw new ArgumentException($"Need {ModalityAttention.ModalityCount} slots (text, speech, face).", nameof(logits));
        }

        if (logits.All(z => z is null))
        {
            throw new ArgumentException("At least one modality must be present.", nameof(logits));
        }

        foreach (var z in logits)
        {
            if (z is not null && (z.Length != EmotionLabels.Count || z.Any(v => !float.IsFinite(v))))
            {
                throw new ArgumentException($"Each present embedding is {EmotionLabels.Count} finite logits.", nameof(logits));
            }
        }

        if ((uint)label >= EmotionLabels.Count)
        {
            throw new ArgumentException("Label outside the label space.", nameof(label));
        }

        Logits = logits;
        Label = label;
    }

    /// <summary>z_text, z_speech, z_face; null where missing.</summary>
    public IReadOnlyList<float[]?> Logits { get; }

    /// <summary>The label.</summary>
    public EmotionLabel Label { get; }

    /// <summary>Whether modality <paramref name="modality"/> is present.</summary>
    public bool Has(Modality modality) => Logits[(int)modality] is not null;

    /// <summary>A copy with modality <paramref name="modality"/>'s slot replaced (null removes it).</summary>
    public FusionExample With(Modality modality, float[]? logits)
    {
        var slots = Logits.ToArray();
        slots[(int)modality] = logits;
        return new FusionExample(slots, Label);
    }
}

/// <summary>One modality's head outputs on a labelled split: the pool composites draw from.</summary>
/// <param name="Logits">z of each item.</param>
/// <param name="Labels">Label of each item.</param>
public sealed record ModalityPool(IReadOnlyList<float[]> Logits, IReadOnlyList<EmotionLabel> Labels);

/// <summary>Options of <see cref="CompositeBuilder"/>.</summary>
/// <param name="Count">Examples to build.</param>
/// <param name="ModalityDropout">Probability of dropping each present modality (at least one always stays).</param>
/// <param name="LabelWeights">Relative frequency of each label in the composites (null: uniform over labels that some pool has).</param>
/// <param name="Seed">Seeds label draws, item draws and dropout.</param>
public sealed record CompositeOptions(int Count, float ModalityDropout = 0f, float[]? LabelWeights = null, int Seed = 1);

/// <summary>
/// Builds composite fusion examples from unaligned single-modality data: draw a label, then one
/// item of that label from each modality pool (with replacement; a pool without that label leaves
/// the slot missing), then drop modalities at random. Results on such composites measure the fusion
/// mechanism, not real-world multimodal accuracy: the modalities are independent given the label.
/// Build training, early-stopping and test composites from disjoint items (e.g. out-of-fold head
/// logits of the training split for training, separate halves of a dev split for the other two):
/// composites re-use each item many times, so a dev set drawn from the training items lets the MLP
/// memorise item logits and makes early stopping blind to it.
/// </summary>
public static class CompositeBuilder
{
    /// <summary>Builds the examples; <paramref name="pools"/> holds text, speech and face pools in slot order (null = no such modality).</summary>
    /// <exception cref="ArgumentException">Not three pools, or no pool holds any item.</exception>
    public static IReadOnlyList<FusionExample> Build(IReadOnlyList<ModalityPool?> pools, CompositeOptions options)
    {
        ArgumentNullException.ThrowIfNull(pools);
        ArgumentNullException.ThrowIfNull(options);
        if (pools.Count != ModalityAttention.ModalityCount)
        {
            throw new ArgumentException("Need one (possibly null) pool per modality: text, speech, face.", nameof(pools));
        }

        var byLabel = new int[ModalityAttention.ModalityCount][][];
        for (var m = 0; m < pools.Count; m++)
        {
            var pool = pools[m];
            byLabel[m] = [.. Enumerable.Range(0, EmotionLabels.Count).Select(c => pool is null
                ? Array.Empty<int>()
                : [.. Enumerable.Range(0, pool.Labels.Count).Where(i => (int)pool.Labels[i] == c)])];
        }

        var weights = new double[EmotionLabels.Count];
        for (var c = 0; c < weights.Length; c++)
        {
            var available = byLabel.Any(m => m[c].Length > 0);
            weights[c] = !available ? 0 : options.LabelWeights?[c] ?? 1.0;
        }

        var total = weights.Sum();
        if (!(total > 0))
        {
            throw new ArgumentException("No pool holds an item of a label with non-zero weight.", nameof(pools));
        }

        var random = new Random(options.Seed);
        var examples = new List<FusionExample>(options.Count);
        for (var n = 0; n < options.Count; n++)
        {
            var label = Draw(weights, total, random);
            var slots = new float[]?[ModalityAttention.ModalityCount];
            for (var m = 0; m < slots.Length; m++)
            {
                var members = byLabel[m][label];
                if (members.Length > 0)
                {
                    slots[m] = pools[m]!.Logits[members[random.Next(members.Length)]];
                }
            }

            examples.Add(new FusionExample(Dropout(slots, options.ModalityDropout, random), (EmotionLabel)label));
        }

        return examples;
    }

    /// <summary>Drops each present slot with probability <paramref name="probability"/>, keeping at least one (chosen at random) present.</summary>
    internal static float[]?[] Dropout(float[]?[] slots, float probability, Random random)
    {
        if (probability <= 0f)
        {
            return slots;
        }

        var present = Enumerable.Range(0, slots.Length).Where(m => slots[m] is not null).ToArray();
        var kept = present.Where(_ => random.NextDouble() >= probability).ToArray();
        if (kept.Length == 0)
        {
            kept = [present[random.Next(present.Length)]];
        }

        var result = new float[]?[slots.Length];
        foreach (var m in kept)
        {
            result[m] = slots[m];
        }

        return result;
    }

    /// <summary>
    /// With probability <paramref name="probability"/>, when at least two slots are present, replaces
    /// one present slot (chosen at random) by Gaussian noise with that modality's per-class mean and
    /// standard deviation: the label no longer follows from it, so the fusion learns to look away
    /// from a modality whose logits carry no evidence.
    /// </summary>
    internal static float[]?[] Corrupt(float[]?[] slots, float probability, IReadOnlyList<(float[] Mean, float[] Std)> statistics, Random random) =>
        Corrupt(slots, probability, statistics, random, out _);

    /// <summary>The corruption above, also giving the slot replaced by noise (−1 when none was).</summary>
    internal static float[]?[] Corrupt(float[]?[] slots, float probability, IReadOnlyList<(float[] Mean, float[] Std)> statistics, Random random, out int corrupted)
    {
        corrupted = -1;
        if (probability <= 0f || random.NextDouble() >= probability)
        {
            return slots;
        }

        var present = Enumerable.Range(0, slots.Length).Where(m => slots[m] is not null).ToArray();
        if (present.Length < 2)
        {
            return slots;
        }

        corrupted = present[random.Next(present.Length)];
        var result = (float[]?[])slots.Clone();
        result[corrupted] = NoiseRow(statistics[corrupted], random);
        return result;
    }

    /// <summary>Gaussian noise with a modality's per-class logit mean and standard deviation.</summary>
    internal static float[] NoiseRow((float[] Mean, float[] Std) statistics, Random random) =>
        [.. Enumerable.Range(0, statistics.Mean.Length).Select(c => statistics.Mean[c] + (statistics.Std[c] * (float)Gaussian(random)))];

    /// <summary>Per-class mean and standard deviation of each modality's logits over <paramref name="examples"/> (label-blind).</summary>
    internal static (float[] Mean, float[] Std)[] LogitStatistics(IReadOnlyList<FusionExample> examples) =>
        [.. Enumerable.Range(0, ModalityAttention.ModalityCount).Select(m =>
        {
            var rows = examples.Select(e => e.Logits[m]).OfType<float[]>().ToArray();
            return rows.Length == 0 ? (new float[EmotionLabels.Count], Enumerable.Repeat(1f, EmotionLabels.Count).ToArray()) : Standardizer.Fit(rows);
        })];

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());

    private static int Draw(double[] weights, double total, Random random)
    {
        var u = random.NextDouble() * total;
        for (var c = 0; c < weights.Length; c++)
        {
            u -= weights[c];
            if (u < 0 && weights[c] > 0)
            {
                return c;
            }
        }

        return Array.FindLastIndex(weights, w => w > 0);
    }
}
