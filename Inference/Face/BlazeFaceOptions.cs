namespace Emotion.Orleans.Inference;

/// <summary>BlazeFace post-processing settings; bound from the <c>Inference:Face:Detector</c> section.</summary>
public sealed class BlazeFaceOptions
{
    /// <summary>
    /// Smallest sigmoid score a face must reach. 0.5 is MediaPipe's own setting for this model; on
    /// FER2013 faces pasted into frames it finds 97% of faces, while blurred faces and noise stay below it.
    /// </summary>
    public float ScoreThreshold { get; set; } = 0.5f;

    /// <summary>Overlap (IoU) above which two detections are merged into one face.</summary>
    public float SuppressionIou { get; set; } = 0.3f;

    /// <summary>Most frames per model run when the detector model accepts a batch.</summary>
    public int MaxBatch { get; set; } = 16;
}
