namespace Emotion.Orleans.Inference;

/// <summary>Face recognizer settings; bound from the <c>Inference:Face</c> section.</summary>
public sealed class FaceRecognizerOptions
{
    /// <summary>Which model gives the face's class logits.</summary>
    public FaceFeaturePath FeaturePath { get; set; } = FaceFeaturePath.ResNet18;

    /// <summary>
    /// Extra context around the detected box on each side, as a fraction of the box's longer side.
    /// BlazeFace's box runs from the brows to the chin; the expression datasets' faces include the forehead.
    /// </summary>
    public float CropMargin { get; set; } = 0.15f;

    /// <summary>Limits on encoded frames.</summary>
    public FrameDecoderOptions Decoder { get; set; } = new();
}
