namespace Emotion.Orleans.Inference;

/// <summary>A detected face in frame pixel coordinates.</summary>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Width.</param>
/// <param name="Height">Height.</param>
/// <param name="Score">Detector confidence in [0, 1].</param>
public sealed record FaceBox(float X, float Y, float Width, float Height, float Score);
