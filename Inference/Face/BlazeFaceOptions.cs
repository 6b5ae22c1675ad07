namespace Emotion.Orleans.Inference;

/// <summary>BlazeFace post-processing settings; bound from the <c>Inference:Face:Detector</c> section.</summary>
public sealed class BlazeFaceOptions
{
    /// <summary>Smallest sigmoid score a face must reach.</summary>
    public float ScoreThreshold { get; set; } = 0.6f;

    /// <summary>Overlap (IoU) above which two detections are merged into one face.</summary>
    public float SuppressionIou { get; set; } = 0.3f;

    /// <summary>Most frames per model run when the detector model accepts a batch.</summary>
    public int MaxBatch { get; set; } = 16;
}
