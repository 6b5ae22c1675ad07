namespace Emotion.Orleans.Inference;

/// <summary>
/// The whole fusion: attention weights over the present modalities, then the label-fusion MLP.
/// Missing-slot rule: the MLP's slot of a missing modality holds z_fused, the attention-weighted
/// mix of the present embeddings, so the MLP always sees a plausible embedding and the attention
/// decides what stands in for the gap (training uses random modality dropout with the same rule).
/// With <see cref="GatedSlots"/>, a present modality's slot is g_i z_i + (1 − g_i) z_fused with
/// g_i = min(1, n α_i / τ) (n modalities present, τ = <see cref="GateShare"/>): a modality the attention discounts below its even
/// share is treated partly as missing, so a corrupted input loses its say in the MLP too.
/// </summary>
public sealed class FusionModel(AttentionFusion attention, LabelFusionMlp mlp)
{
    /// <summary>The attention step.</summary>
    public AttentionFusion Attention { get; } = attention ?? throw new ArgumentNullException(nameof(attention));

    /// <summary>The label-fusion MLP.</summary>
    public LabelFusionMlp Mlp { get; } = mlp ?? throw new ArgumentNullException(nameof(mlp));

    /// <summary>Whether present slots are gated by attention (see the class remarks); false for the plain rule.</summary>
    public bool GatedSlots { get; init; }

    /// <summary>τ in (0, 1]: a present slot stays intact while its weight is at least τ times the even share 1/n.</summary>
    public float GateShare { get; init; } = 1f;

    /// <summary>output = g·z + (1 − g)·fused.</summary>
    public static void Blend(ReadOnlySpan<float> z, ReadOnlySpan<float> fused, float gate, Span<float> output)
    {
        for (var k = 0; k < output.Length; k++)
        {
            output[k] = (gate * z[k]) + ((1f - gate) * fused[k]);
        }
    }

    /// <summary>Builds the MLP input with present slots gated by <paramref name="alpha"/> (see <see cref="GatedSlots"/>).</summary>
    /// <exception cref="ArgumentException">Shapes disagree.</exception>
    public static float[] GatedMlpInput(IReadOnlyList<float[]?> embeddings, ReadOnlySpan<float> fused, ReadOnlySpan<float> alpha, float gateShare = 1f)
    {
        if (!(gateShare > 0f && gateShare <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(gateShare), gateShare, "The gate share must be in (0, 1].");
        }

        var input = MlpInput(embeddings, fused);
        if (alpha.Length != ModalityAttention.ModalityCount)
        {
            throw new ArgumentException($"Need {ModalityAttention.ModalityCount} attention weights.", nameof(alpha));
        }

        var count = embeddings.Count(z => z is not null);
        for (var i = 0; i < ModalityAttention.ModalityCount; i++)
        {
            if (embeddings[i] is { } z)
            {
                Blend(z, fused, MathF.Min(1f, count * alpha[i] / gateShare), input.AsSpan(i * EmotionLabels.Count, EmotionLabels.Count));
            }
        }

        return input;
    }

    /// <summary>Builds the MLP input [z_t; z_s; z_f] with missing slots filled by z_fused.</summary>
    /// <exception cref="ArgumentException">Not one slot per modality, or a slot or z_fused is not 7 wide.</exception>
    public static float[] MlpInput(IReadOnlyList<float[]?> embeddings, ReadOnlySpan<float> fused)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        if (embeddings.Count != ModalityAttention.ModalityCount || fused.Length != EmotionLabels.Count
            || embeddings.Any(z => z is not null && z.Length != EmotionLabels.Count))
        {
            throw new ArgumentException($"Need {ModalityAttention.ModalityCount} slots and z_fused, each {EmotionLabels.Count} wide (or a null slot).", nameof(embeddings));
        }

        var input = new float[LabelFusionMlp.InputWidth];
        for (var i = 0; i < ModalityAttention.ModalityCount; i++)
        {
            var slot = embeddings[i] is { } z ? z : fused;
            slot.CopyTo(input.AsSpan(i * EmotionLabels.Count, EmotionLabels.Count));
        }

        return input;
    }

    /// <summary>Fuses the class embeddings; <paramref name="embeddings"/>[i] is null when modality i is missing.</summary>
    /// <exception cref="ArgumentException">No modality is present, or an embedding has the wrong width.</exception>
    public FusionOutput Fuse(IReadOnlyList<float[]?> embeddings)
    {
        var (alpha, fused) = Attention.Fuse(embeddings);
        var logits = Mlp.Logits(GatedSlots ? GatedMlpInput(embeddings, fused, alpha, GateShare) : MlpInput(embeddings, fused));
        var probabilities = Softmax.Apply(logits);
        var perModality = new float[]?[ModalityAttention.ModalityCount];
        for (var i = 0; i < perModality.Length; i++)
        {
            perModality[i] = embeddings[i] is { } z ? Softmax.Apply(z) : null;
        }

        return new FusionOutput(alpha, fused, perModality, probabilities);
    }
}
