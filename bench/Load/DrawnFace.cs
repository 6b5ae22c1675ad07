using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>
/// Paints a simple frontal face (hair, skin with shading, brows, eyes, nose, mouth, shoulders) onto a
/// frame. There is no redistributable photograph of a face to ship, and a frame without one costs
/// the face path only its detector; with this drawing the detector finds a face (BlazeFace scores
/// it about 0.9) and the expression model runs on every frame, as on a call with the customer on camera.
/// </summary>
internal static class DrawnFace
{
    private static readonly Rgb24 Skin = new(224, 172, 140);
    private static readonly Rgb24 Shadow = new(40, 30, 25);
    private static readonly Rgb24 Hair = new(60, 40, 30);
    private static readonly Rgb24 Shirt = new(50, 70, 120);
    private static readonly Rgb24 EyeWhite = new(240, 240, 235);
    private static readonly Rgb24 Iris = new(70, 50, 35);
    private static readonly Rgb24 Pupil = new(10, 10, 10);
    private static readonly Rgb24 Lips = new(170, 70, 70);
    private static readonly Rgb24 MouthInside = new(90, 30, 30);

    /// <summary>Paints the face centred at (<paramref name="cx"/>, <paramref name="cy"/>).</summary>
    /// <param name="image">The frame.</param>
    /// <param name="cx">Face centre, x.</param>
    /// <param name="cy">Face centre, y.</param>
    /// <param name="scale">1 is a face about 190×250 pixels.</param>
    /// <param name="mouthOpen">0 closed to 1 open.</param>
    public static void Paint(Image<Rgb24> image, double cx, double cy, double scale, double mouthOpen)
    {
        var rx = 95 * scale;
        var ry = 125 * scale;
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                image[x, y] = Pixel(image[x, y], x, y, cx, cy, rx, ry, image.Height, mouthOpen);
            }
        }
    }

    private static Rgb24 Pixel(Rgb24 p, double x, double y, double cx, double cy, double rx, double ry, int height, double mouthOpen)
    {
        if (y > cy + (ry * 0.8) && Math.Abs(x - cx) < rx * 0.45)
        {
            p = Mix(Skin, Shadow, 0.15);
        }

        if (y > cy + (ry * 1.15) && Math.Abs(x - cx) < (rx * 2.2) - ((height - y) * 0.3))
        {
            p = Shirt;
        }

        if (Inside(x, y, cx, cy - (ry * 0.15), rx * 1.1, ry * 1.05))
        {
            p = Hair;
        }

        if (!Inside(x, y, cx, cy, rx, ry))
        {
            return p;
        }

        var d = Math.Sqrt(Math.Pow((x - cx) / rx, 2) + Math.Pow((y - cy) / ry, 2));
        p = Mix(Skin, Shadow, Math.Max(0, d - 0.6) * 0.5);
        if (y < cy - (ry * 0.55) && Inside(x, y, cx, cy - (ry * 0.75), rx * 1.05, ry * 0.45))
        {
            p = Hair;
        }

        foreach (var side in (ReadOnlySpan<int>)[-1, 1])
        {
            var ex = cx + (side * rx * 0.38);
            var ey = cy - (ry * 0.12);
            if (Inside(x, y, ex, ey - (ry * 0.16), rx * 0.24, ry * 0.04))
            {
                p = Hair;
            }

            if (Inside(x, y, ex, ey, rx * 0.2, ry * 0.075))
            {
                p = EyeWhite;
            }

            if (Inside(x, y, ex, ey, rx * 0.085, ry * 0.07))
            {
                p = Iris;
            }

            if (Inside(x, y, ex, ey, rx * 0.04, ry * 0.035))
            {
                p = Pupil;
            }
        }

        if (Math.Abs(x - cx) < rx * 0.06 && y > cy - (ry * 0.05) && y < cy + (ry * 0.25))
        {
            p = Mix(p, Shadow, 0.25);
        }

        if (Inside(x, y, cx, cy + (ry * 0.27), rx * 0.17, ry * 0.05))
        {
            p = Mix(p, Shadow, 0.35);
        }

        if (Inside(x, y, cx, cy + (ry * 0.52), rx * 0.32, ry * (0.06 + (0.04 * mouthOpen))))
        {
            p = Lips;
        }

        if (Inside(x, y, cx, cy + (ry * 0.52), rx * 0.3, ry * (0.012 + (0.035 * mouthOpen))))
        {
            p = MouthInside;
        }

        return p;
    }

    private static bool Inside(double x, double y, double ex, double ey, double ax, double ay) =>
        Math.Pow((x - ex) / ax, 2) + Math.Pow((y - ey) / ay, 2) <= 1;

    private static Rgb24 Mix(Rgb24 a, Rgb24 b, double t) =>
        new((byte)(a.R + ((b.R - a.R) * t)), (byte)(a.G + ((b.G - a.G) * t)), (byte)(a.B + ((b.B - a.B) * t)));
}
