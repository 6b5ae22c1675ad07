namespace Emotion.Orleans.Inference;

/// <summary>Face recognizer settings; bound from the <c>Inference:Face</c> section.</summary>
public sealed class FaceRecognizerOptions
{
    /// <summary>Which model gives the face's class logits.</summary>
    public FaceFeaturePath FeaturePath { get; set; } = FaceFeaturePath.ResNet18;

    /// <summary>
    /// Extra context around the detected box on each side, as a fraction of the box's longer side.
    /// BlazeFace's box is about 0.87 of a FER2013 face crop's side, so 0.08 reproduces the framing
    /// the expression model was trained on (wider margins measurably lower its accuracy).
    /// </summary>
    public float CropMargin { get; set; } = 0.08f;

    /// <summary>Limits on encoded frames.</summary>
    public FrameDecoderOptions Decoder { get; set; } = new();
}
