using System.Numerics.Tensors;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>Runs a trained head over labelled features: its logits (the fusion's inputs) and its report.</summary>
public static class HeadEvaluation
{
    /// <summary>z = head(x) for every vector.</summary>
    public static float[][] Logits(ModalityHead head, IReadOnlyList<float[]> features)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(features);
        return [.. features.Select(x => head.Logits(x))];
    }

    /// <summary>The head's outputs on a labelled split as a pool for <see cref="CompositeBuilder"/>.</summary>
    public static ModalityPool Pool(ModalityHead head, LabelledFeatures data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new ModalityPool(Logits(head, data.Features), data.Labels);
    }

    /// <summary>Classification report of argmax(head(x)) against the labels.</summary>
    public static ClassificationReport Report(ModalityHead head, LabelledFeatures data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var predicted = Logits(head, data.Features).Select(z => (EmotionLabel)TensorPrimitives.IndexOfMax<float>(z)).ToArray();
        return ClassificationReport.From(data.Labels, predicted);
    }
}
