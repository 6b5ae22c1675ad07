namespace Emotion.Orleans.Inference;

/// <summary>
/// ŷ = softmax(MLP([z_t; z_s; z_f])): dense layers with ReLU between them, over the three class
/// embeddings side by side.
/// </summary>
public sealed class LabelFusionMlp
{
    /// <summary>Creates the MLP.</summary>
    /// <exception cref="ArgumentException">Layers do not chain from 3×7 inputs to 7 outputs.</exception>
    public LabelFusionMlp(IReadOnlyList<DenseLayer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0 || layers[0].Inputs != InputWidth || layers[^1].Outputs != EmotionLabels.Count)
        {
            throw new ArgumentException($"The label-fusion MLP maps {InputWidth} → {EmotionLabels.Count}.", nameof(layers));
        }

        for (var i = 1; i < layers.Count; i++)
        {
            if (layers[i].Inputs != layers[i - 1].Outputs)
            {
                throw new ArgumentException($"Layer {i} takes {layers[i].Inputs} inputs but layer {i - 1} gives {layers[i - 1].Outputs}.", nameof(layers));
            }
        }

        Layers = layers;
    }

    /// <summary>Width of [z_t; z_s; z_f].</summary>
    public const int InputWidth = ModalityAttention.ModalityCount * EmotionLabels.Count;

    /// <summary>The dense layers in order.</summary>
    public IReadOnlyList<DenseLayer> Layers { get; }

    /// <summary>Returns the MLP's logits for the concatenated embeddings.</summary>
    public float[] Logits(ReadOnlySpan<float> concatenated)
    {
        if (concatenated.Length != InputWidth)
        {
            throw new ArgumentException($"Expected {InputWidth} inputs, got {concatenated.Length}.", nameof(concatenated));
        }

        var x = concatenated.ToArray();
        for (var l = 0; l < Layers.Count; l++)
        {
            x = Layers[l].Apply(x);
            if (l < Layers.Count - 1)
            {
                for (var i = 0; i < x.Length; i++)
                {
                    x[i] = MathF.Max(0f, x[i]);
                }
            }
        }

        return x;
    }
}
