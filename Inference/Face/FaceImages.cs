using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Emotion.Orleans.Inference;

/// <summary>Image steps shared by the face models: the face crop and the square resize.</summary>
public static class FaceImages
{
    /// <summary>
    /// Crops a square around the face: the box's longer side plus <paramref name="margin"/> of it on
    /// each side, centred on the box and clamped to the frame (so it is narrower at the frame's edge).
    /// The caller disposes the crop.
    /// </summary>
    public static Image<Rgb24> Crop(Image<Rgb24> frame, FaceBox face, float margin)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(face);
        ArgumentOutOfRangeException.ThrowIfNegative(margin);
        var region = CropRegion(frame.Width, frame.Height, face, margin);
        return frame.Clone(c => c.Crop(region));
    }

    /// <summary>The pixel rectangle <see cref="Crop"/> takes; at least 1×1 and inside the frame.</summary>
    public static Rectangle CropRegion(int frameWidth, int frameHeight, FaceBox face, float margin)
    {
        ArgumentNullException.ThrowIfNull(face);
        var side = MathF.Max(face.Width, face.Height) * (1f + (2f * margin));
        var cx = face.X + (face.Width / 2f);
        var cy = face.Y + (face.Height / 2f);
        var x0 = Math.Clamp((int)MathF.Floor(cx - (side / 2f)), 0, frameWidth - 1);
        var y0 = Math.Clamp((int)MathF.Floor(cy - (side / 2f)), 0, frameHeight - 1);
        var x1 = Math.Clamp((int)MathF.Ceiling(cx + (side / 2f)), x0 + 1, frameWidth);
        var y1 = Math.Clamp((int)MathF.Ceiling(cy + (side / 2f)), y0 + 1, frameHeight);
        return new Rectangle(x0, y0, x1 - x0, y1 - y0);
    }

    /// <summary>The image stretched to <paramref name="size"/>×<paramref name="size"/> (bilinear); the caller disposes it.</summary>
    internal static Image<Rgb24> Square(Image<Rgb24> image, int size) =>
        image.Clone(c => c.Resize(new ResizeOptions { Size = new Size(size, size), Mode = ResizeMode.Stretch, Sampler = KnownResamplers.Triangle }));
}
