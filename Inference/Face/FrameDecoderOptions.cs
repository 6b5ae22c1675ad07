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

    /// <summary>
    /// Most pixels a frame may have (width × height, default 3840×2160): checked from the header, so a
    /// frame over it never allocates its pixels (a 4096×4096 PNG of 48 KB would take 50 MB decoded).
    /// </summary>
    public long MaxPixels { get; set; } = 3840L * 2160;

    /// <summary>
    /// Longest side a decoded frame is kept at (default 1280): larger frames are scaled down right
    /// after decoding, so a batch holds small images while faces are found and cropped.
    /// </summary>
    public int WorkingMaxSide { get; set; } = 1280;

    /// <summary>
    /// Frames larger than the working size decoded at once, per silo (default 2): the rest wait their
    /// turn, so the full-size pixel buffers alive together are bounded whatever arrives.
    /// </summary>
    public int MaxConcurrentLargeDecodes { get; set; } = 2;
}
