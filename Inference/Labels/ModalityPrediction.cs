namespace Emotion.Orleans.Inference;

/// <summary>One modality's answer for one item.</summary>
/// <param name="Modality">Which modality.</param>
/// <param name="Logits">The class embedding z_i: seven logits in <see cref="EmotionLabels"/> order.</param>
/// <param name="Probabilities">softmax(z_i).</param>
public sealed record ModalityPrediction(Modality Modality, float[] Logits, float[] Probabilities)
{
    /// <summary>Builds the prediction from logits.</summary>
    public static ModalityPrediction FromLogits(Modality modality, float[] logits) => new(modality, logits, Softmax.Apply(logits));

    /// <summary>The most probable label.</summary>
    public EmotionLabel Emotion => (EmotionLabel)Array.IndexOf(Probabilities, Probabilities.Max());
}
