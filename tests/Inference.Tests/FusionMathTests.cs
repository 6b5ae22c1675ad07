namespace Emotion.Orleans.Inference.Tests;

public sealed class FusionMathTests
{
    private static DenseLayer Identity7() => new(7, 7, Enumerable.Range(0, 49).Select(i => i / 7 == i % 7 ? 1f : 0f).ToArray(), new float[7]);

    [Fact]
    public void Softmax_matches_hand_computed_values()
    {
        var p = Softmax.Apply([1f, 2f, 3f]);
        // e^1, e^2, e^3 over their sum = 0.0900, 0.2447, 0.6652.
        Assert.Equal(0.09003f, p[0], 4);
        Assert.Equal(0.24473f, p[1], 4);
        Assert.Equal(0.66524f, p[2], 4);
    }

    [Fact]
    public void Masked_softmax_gives_missing_modalities_zero_and_renormalises_the_rest()
    {
        var p = Softmax.Masked([1f, 100f, 3f], [true, false, true]);
        Assert.Equal(0f, p[1]);
        // e^1 / (e^1 + e^3) = 0.1192.
        Assert.Equal(0.11920f, p[0], 4);
        Assert.Equal(0.88080f, p[2], 4);
    }

    [Fact]
    public void Attention_score_is_v_dot_tanh_of_the_modality_projection()
    {
        // W'_text picks z[0] and z[1]; b' = (0, 0.5); v = (2, -1).
        var w = new float[2 * 7];
        w[0] = 1f;
        w[7 + 1] = 1f;
        var text = new DenseLayer(7, 2, w, [0f, 0.5f]);
        var other = new DenseLayer(7, 2, new float[14], new float[2]);
        var attention = new ModalityAttention([text, other, other], [2f, -1f]);

        var score = attention.Score(Modality.Text, [0.3f, 0.2f, 0, 0, 0, 0, 0]);

        // 2·tanh(0.3) − tanh(0.7) = 0.58271 − 0.60437.
        Assert.Equal((2 * MathF.Tanh(0.3f)) - MathF.Tanh(0.7f), score, 5);
    }

    [Fact]
    public void Fused_embedding_is_the_alpha_weighted_sum_of_present_embeddings()
    {
        // Scores e_i = v·tanh(z_i[0]) with v = 1: text z[0] = 1, face z[0] = 0 → α = softmax(tanh 1, 0).
        var pick0 = new DenseLayer(7, 1, [1f, 0, 0, 0, 0, 0, 0], [0f]);
        var fusion = new AttentionFusion(new ModalityAttention([pick0, pick0, pick0], [1f]));
        float[] zt = [1f, 2f, 0, 0, 0, 0, 0];
        float[] zf = [0f, 0f, 4f, 0, 0, 0, 0];

        var (alpha, fused) = fusion.Fuse([zt, null, zf]);

        var at = MathF.Exp(MathF.Tanh(1f)) / (MathF.Exp(MathF.Tanh(1f)) + 1f);
        Assert.Equal(at, alpha[0], 5);
        Assert.Equal(0f, alpha[1]);
        Assert.Equal(1f - at, alpha[2], 5);
        Assert.Equal(at * 2f, fused[1], 5);
        Assert.Equal((1f - at) * 4f, fused[2], 5);
    }

    [Fact]
    public void Fusing_with_no_modality_present_is_refused()
    {
        var zero = new DenseLayer(7, 1, new float[7], [0f]);
        var fusion = new AttentionFusion(new ModalityAttention([zero, zero, zero], [1f]));
        Assert.Throws<ArgumentException>(() => fusion.Fuse([null, null, null]));
    }

    [Fact]
    public void Missing_modality_slot_in_the_mlp_input_holds_the_fused_embedding()
    {
        float[] zt = [1, 2, 3, 4, 5, 6, 7];
        float[] fused = [9, 9, 9, 9, 9, 9, 9];

        var input = FusionModel.MlpInput([zt, null, null], fused);

        Assert.Equal(zt, input[..7]);
        Assert.Equal(fused, input[7..14]);
        Assert.Equal(fused, input[14..]);
    }

    [Fact]
    public void Fusion_output_carries_alphas_per_modality_probabilities_and_a_distribution()
    {
        var zero = new DenseLayer(7, 1, new float[7], [0f]);
        var attention = new AttentionFusion(new ModalityAttention([zero, zero, zero], [1f]));
        // MLP = sum of the three slots.
        var w = new float[7 * 21];
        for (var o = 0; o < 7; o++)
        {
            for (var s = 0; s < 3; s++)
            {
                w[(o * 21) + (s * 7) + o] = 1f;
            }
        }

        var model = new FusionModel(attention, new LabelFusionMlp([new DenseLayer(21, 7, w, new float[7])]));
        float[] zt = [0, 0, 0, 3, 0, 0, 0];
        float[] zs = [0, 0, 0, 1, 0, 2, 0];

        var output = model.Fuse([zt, zs, null]);

        Assert.Equal([0.5f, 0.5f, 0f], output.Alpha);
        Assert.Null(output.PerModalityProbabilities[2]);
        Assert.Equal(Softmax.Apply(zt), output.PerModalityProbabilities[0]);
        Assert.Equal(1f, output.Probabilities.Sum(), 5);
        // Slots: zt + zs + fused (= (zt + zs)/2) → joy 3+1+2 = 6 beats sadness 0+2+1 = 3.
        Assert.Equal(EmotionLabel.Joy, output.Emotion);
    }

    [Fact]
    public void Head_selects_standardises_projects_and_classifies()
    {
        var selection = new FeatureSelection([2], [1f], [2f]);
        var projection = new DenseLayer(1, 1, [1f], [0f]);
        var classifier = new DenseLayer(1, 7, [1, 0, 0, 0, 0, 0, -1], new float[7]);
        var head = new ModalityHead(4, selection, projection, classifier);

        var z = head.Logits([100f, 100f, 5f, 100f]);

        // x' = (5 − 1) / 2 = 2; h = 2; ReLU → 2; z = (2, 0, …, −2).
        Assert.Equal(2f, z[0]);
        Assert.Equal(-2f, z[6]);
    }

    [Fact]
    public void Head_refuses_features_that_are_not_finite()
    {
        var head = new ModalityHead(3, new FeatureSelection([0, 2], [0f, 0f], [1f, 1f]), new DenseLayer(2, 7, new float[14], new float[7]), Identity7());

        Assert.Throws<ArgumentException>(() => head.Logits([1f, float.NaN, 2f]));
        Assert.Throws<ArgumentException>(() => head.Logits([1f, 0f, float.PositiveInfinity]));
    }

    [Fact]
    public void Feature_selection_refuses_an_input_that_ends_before_a_kept_index_or_an_output_of_the_wrong_width()
    {
        var selection = new FeatureSelection([0, 4], [0f, 0f], [1f, 1f]);

        Assert.Throws<ArgumentException>(() => selection.Apply(new float[4], new float[2]));
        Assert.Throws<ArgumentException>(() => selection.Apply(new float[5], new float[3]));
    }

    [Fact]
    public void Mlp_input_refuses_the_wrong_number_of_slots()
    {
        Assert.Throws<ArgumentException>(() => FusionModel.MlpInput([new float[7], null], new float[7]));
        Assert.Throws<ArgumentException>(() => FusionModel.MlpInput([new float[7], null, new float[6]], new float[7]));
    }
}
