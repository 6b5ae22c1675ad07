using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>
/// A hand-set fusion for tests: constant attention scores per modality (tanh of 1, 0.5 and 0 for
/// text, speech and face), so α is known for every set of present modalities, and an MLP that sums the three slots.
/// </summary>
public static class TestFusionModel
{
    public static readonly float[] Scores = [1f, 0.5f, 0f];

    public static FusionModel Create()
    {
        var projections = Scores.Select(s => new DenseLayer(EmotionLabels.Count, 1, new float[EmotionLabels.Count], [s])).ToArray();
        var attention = new AttentionFusion(new ModalityAttention(projections, [1f]));
        var sum = new float[EmotionLabels.Count * LabelFusionMlp.InputWidth];
        for (var o = 0; o < EmotionLabels.Count; o++)
        {
            for (var slot = 0; slot < ModalityAttention.ModalityCount; slot++)
            {
                sum[(o * LabelFusionMlp.InputWidth) + (slot * EmotionLabels.Count) + o] = 1f;
            }
        }

        return new FusionModel(attention, new LabelFusionMlp([new DenseLayer(LabelFusionMlp.InputWidth, EmotionLabels.Count, sum, new float[EmotionLabels.Count])]));
    }

    /// <summary>α of the present modalities under <see cref="Scores"/>.</summary>
    public static float[] ExpectedAlpha(params InputModality[] present)
    {
        var alpha = new float[3];
        // e_i = v·tanh(W'_i z + b'_i) = tanh(score_i) with W' = 0 and v = 1.
        var total = present.Sum(m => MathF.Exp(MathF.Tanh(Scores[(int)m])));
        foreach (var m in present)
        {
            alpha[(int)m] = MathF.Exp(MathF.Tanh(Scores[(int)m])) / total;
        }

        return alpha;
    }
}
