namespace Emotion.Orleans.Inference;

/// <summary>Face recognizer settings; bound from the <c>Inference:Face</c> section.</summary>
public sealed class FaceRecognizerOptions
{
    /// <summary>Which model gives the face's class logits.</summary>
    public FaceFeaturePath FeaturePath { get; set; } = FaceFeaturePath.FerExpression;

    /// <summary>
    /// Extra context around the detected box on each side, as a fraction of the box's longer side.
    /// BlazeFace's box is about 0.87 of a FER2013 face crop's side, so 0.08 reproduces the framing
    /// the expression model was trained on (wider margins measurably lower its accuracy).
    /// </summary>
    public float CropMargin { get; set; } = 0.08f;

    /// <summary>Limits on encoded frames.</summary>
    public FrameDecoderOptions Decoder { get; set; } = new();

    /// <summary>Face detector settings; used by whoever creates the <see cref="BlazeFaceDetector"/> (the inference host does).</summary>
    public BlazeFaceOptions Detector { get; set; } = new();

    /// <summary>Most face crops per ResNet18 or expression model run; used by whoever creates those models.</summary>
    public int MaxBatch { get; set; } = 32;
}
