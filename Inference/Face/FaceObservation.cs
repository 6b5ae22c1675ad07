namespace Emotion.Orleans.Inference;

/// <summary>What one frame showed: the largest face and its prediction, or no face (a result, not an error).</summary>
/// <param name="Face">The largest detected face; null when there is none.</param>
/// <param name="Prediction">The face's class logits; null when there is no face.</param>
public sealed record FaceObservation(FaceBox? Face, ModalityPrediction? Prediction)
{
    /// <summary>An observation of a frame without a face.</summary>
    public static FaceObservation NoFace { get; } = new(null, null);
}
