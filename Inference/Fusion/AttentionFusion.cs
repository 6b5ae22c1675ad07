namespace Emotion.Orleans.Inference;

/// <summary>
/// α_i = softmax_i(e_i) over the modalities present, z_fused = Σ α_i z_i. A missing modality is
/// masked out of the softmax: it gets α = 0 and the others renormalise.
/// </summary>
public sealed class AttentionFusion(ModalityAttention attention)
{
    /// <summary>The scorer.</summary>
    public ModalityAttention Attention { get; } = attention ?? throw new ArgumentNullException(nameof(attention));

    /// <summary>Fuses the class embeddings; <paramref name="embeddings"/>[i] is null when modality i is missing.</summary>
    /// <exception cref="ArgumentException">No modality is present, or an embedding is not 7 wide.</exception>
    public (float[] Alpha, float[] Fused) Fuse(IReadOnlyList<float[]?> embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        if (embeddings.Count != ModalityAttention.ModalityCount)
        {
            throw new ArgumentException($"Need one slot per modality ({ModalityAttention.ModalityCount}).", nameof(embeddings));
        }

        Span<float> scores = stackalloc float[ModalityAttention.ModalityCount];
        Span<bool> present = stackalloc bool[ModalityAttention.ModalityCount];
        for (var i = 0; i < embeddings.Count; i++)
        {
            var z = embeddings[i];
            if (z is null)
            {
                continue;
            }

            if (z.Length != EmotionLabels.Count)
            {
                throw new ArgumentException($"Class embeddings are {EmotionLabels.Count} wide; slot {i} has {z.Length}.", nameof(embeddings));
            }

            present[i] = true;
            scores[i] = Attention.Score((Modality)i, z);
        }

        if (!present.Contains(true))
        {
            throw new ArgumentException("At least one modality must be present to fuse.", nameof(embeddings));
        }

        var alpha = Softmax.Masked(scores, present);
        var fused = new float[EmotionLabels.Count];
        for (var i = 0; i < embeddings.Count; i++)
        {
            if (embeddings[i] is { } z)
            {
                for (var c = 0; c < fused.Length; c++)
                {
                    fused[c] += alpha[i] * z[c];
                }
            }
        }

        return (alpha, fused);
    }
}
