namespace Emotion.Orleans.Inference;

/// <summary>Limits on encoded video frames; bound from the <c>Inference:Face:Decoder</c> section.</summary>
public sealed class FrameDecoderOptions
{
    /// <summary>Largest encoded frame accepted, in bytes (default 8 MiB).</summary>
    public int MaxBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Widest frame accepted, in pixels (default 4096).</summary>
    public int MaxWidth { get; set; } = 4096;

    /// <summary>Tallest frame accepted, in pixels (default 4096).</summary>
    public int MaxHeight { get; set; } = 4096;
}
