namespace Emotion.Orleans.Inference;

/// <summary>
/// One modality's learned head over its encoder features x:
/// x' = select(x) standardised; h = W x' + b; z = C(ReLU(h)) — the class embedding (7 logits)
/// that the fusion consumes. Without a projection the head is linear (multinomial logistic
/// regression): z = C x'.
/// </summary>
public sealed class ModalityHead
{
    /// <summary>Creates the head.</summary>
    /// <exception cref="ArgumentException">Shapes disagree.</exception>
    public ModalityHead(int inputDimension, FeatureSelection selection, DenseLayer? projection, DenseLayer classifier)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(classifier);
        if (selection.Indices.Any(i => i >= inputDimension))
        {
            throw new ArgumentException($"Feature selection indexes past the encoder's {inputDimension} features.", nameof(selection));
        }

        var hiddenWidth = projection?.Outputs ?? selection.Count;
        if ((projection is not null && projection.Inputs != selection.Count) || classifier.Inputs != hiddenWidth || classifier.Outputs != EmotionLabels.Count)
        {
            var projected = projection is null ? "no projection" : $"projection {projection.Inputs}→{projection.Outputs}";
            throw new ArgumentException(
                $"Head shapes disagree: {selection.Count} selected → {projected} → classifier {classifier.Inputs}→{classifier.Outputs} (must end in {EmotionLabels.Count}).");
        }

        InputDimension = inputDimension;
        Selection = selection;
        Projection = projection;
        Classifier = classifier;
    }

    /// <summary>Width of the encoder features this head reads.</summary>
    public int InputDimension { get; }

    /// <summary>The kept features and their standardisation.</summary>
    public FeatureSelection Selection { get; }

    /// <summary>W_i, b_i; null for a linear head.</summary>
    public DenseLayer? Projection { get; }

    /// <summary>C_i.</summary>
    public DenseLayer Classifier { get; }

    /// <summary>Maps encoder features to the class embedding z (7 logits).</summary>
    /// <exception cref="ArgumentException">The feature vector has the wrong length or holds a non-finite value.</exception>
    public float[] Logits(ReadOnlySpan<float> features)
    {
        if (features.Length != InputDimension)
        {
            throw new ArgumentException($"Head expects {InputDimension} features, got {features.Length}.", nameof(features));
        }

        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(features))
        {
            throw new ArgumentException("Head features must be finite.", nameof(features));
        }

        Span<float> selected = Selection.Count <= 1024 ? stackalloc float[Selection.Count] : new float[Selection.Count];
        Selection.Apply(features, selected);
        if (Projection is null)
        {
            return Classifier.Apply(selected);
        }

        Span<float> hidden = Projection.Outputs <= 1024 ? stackalloc float[Projection.Outputs] : new float[Projection.Outputs];
        Projection.Apply(selected, hidden);
        for (var i = 0; i < hidden.Length; i++)
        {
            hidden[i] = MathF.Max(0f, hidden[i]);
        }

        return Classifier.Apply(hidden);
    }
}
