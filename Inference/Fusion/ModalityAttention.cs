using System.Numerics.Tensors;

namespace Emotion.Orleans.Inference;

/// <summary>
/// The attention score of each modality: e_i = vᵀ tanh(W'_i z_i + b'_i), with one W'_i, b'_i per
/// modality and a shared v.
/// </summary>
public sealed class ModalityAttention
{
    /// <summary>Creates the scorer.</summary>
    /// <exception cref="ArgumentException">Not one projection per modality, or shapes disagree.</exception>
    public ModalityAttention(IReadOnlyList<DenseLayer> projections, float[] v)
    {
        ArgumentNullException.ThrowIfNull(projections);
        ArgumentNullException.ThrowIfNull(v);
        if (projections.Count != ModalityCount)
        {
            throw new ArgumentException($"Need one attention projection per modality ({ModalityCount}).", nameof(projections));
        }

        if (v.Length == 0 || !System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(v))
        {
            throw new ArgumentException("The context vector v must be non-empty and finite.", nameof(v));
        }

        foreach (var p in projections)
        {
            if (p.Inputs != EmotionLabels.Count || p.Outputs != v.Length)
            {
                throw new ArgumentException($"Attention projections map {EmotionLabels.Count} → {v.Length}; got {p.Inputs} → {p.Outputs}.", nameof(projections));
            }
        }

        Projections = projections;
        V = v;
    }

    /// <summary>Number of modality slots.</summary>
    public const int ModalityCount = 3;

    /// <summary>W'_i, b'_i in modality order (text, speech, face).</summary>
    public IReadOnlyList<DenseLayer> Projections { get; }

    /// <summary>The shared context vector v.</summary>
    public float[] V { get; }

    /// <summary>e_i = vᵀ tanh(W'_i z_i + b'_i).</summary>
    public float Score(Modality modality, ReadOnlySpan<float> z)
    {
        var projection = Projections[(int)modality];
        Span<float> hidden = projection.Outputs <= 1024 ? stackalloc float[projection.Outputs] : new float[projection.Outputs];
        projection.Apply(z, hidden);
        TensorPrimitives.Tanh(hidden, hidden);
        return TensorPrimitives.Dot(V, hidden);
    }
}
