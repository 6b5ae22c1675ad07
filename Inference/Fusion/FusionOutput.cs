namespace Emotion.Orleans.Inference;

/// <summary>What one fusion step produced.</summary>
/// <param name="Alpha">Attention weight of each modality (text, speech, face); 0 for a missing one; sums to 1.</param>
/// <param name="Fused">z_fused = Σ α_i z_i.</param>
/// <param name="PerModalityProbabilities">softmax(z_i) of each present modality; null where missing.</param>
/// <param name="Probabilities">The final distribution ŷ over the seven labels.</param>
public sealed record FusionOutput(float[] Alpha, float[] Fused, IReadOnlyList<float[]?> PerModalityProbabilities, float[] Probabilities)
{
    /// <summary>The most probable label.</summary>
    public EmotionLabel Emotion => (EmotionLabel)Array.IndexOf(Probabilities, Probabilities.Max());
}
