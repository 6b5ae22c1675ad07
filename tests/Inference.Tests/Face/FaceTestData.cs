using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Emotion.Orleans.Inference.Tests;

/// <summary>FER2013 images from the shared datasets and synthetic frames built from them.</summary>
internal static class FaceTestData
{
    /// <summary>Pasted faces are scaled by this factor (48 → 192 pixels).</summary>
    public const int PasteScale = 4;

    /// <summary>
    /// The FER2013 dev folder: <c>$EMOTION_DATASETS/fer2013/dev</c>, else a <c>shared/datasets</c>
    /// folder found walking up from the test binaries; null when neither exists.
    /// </summary>
    public static string? Fer2013Dev { get; } = FindFer2013Dev();

    /// <summary>
    /// The first <paramref name="perLabel"/> dev images of each label, in file order, leaving out
    /// images that have byte-identical copies or conflicting labels.
    /// </summary>
    public static IReadOnlyList<(string Path, EmotionLabel Label)> CleanDevImages(int perLabel)
    {
        var root = Fer2013Dev ?? throw new InvalidOperationException("FER2013 dev split not found.");
        var lines = File.ReadAllLines(Path.Combine(root, "labels.csv"));
        var header = lines[0].Split(',');
        int Column(string name) => Array.IndexOf(header, name);
        var (path, label, copies, conflict) = (Column("path"), Column("label7"), Column("identical_copies"), Column("identical_copy_label_conflict"));
        return
        [
            .. lines.Skip(1)
                .Select(l => l.Split(','))
                .Where(f => int.Parse(f[copies], CultureInfo.InvariantCulture) == 1 && f[conflict] == "0")
                .Select(f => (Path: Path.Combine(root, f[path]), Label: EmotionLabels.Parse(f[label])))
                .GroupBy(x => x.Label)
                .OrderBy(g => g.Key)
                .SelectMany(g => g.OrderBy(x => x.Path, StringComparer.Ordinal).Take(perLabel)),
        ];
    }

    /// <summary>A grey canvas with the face image scaled ×4 pasted at (<paramref name="left"/>, <paramref name="top"/>).</summary>
    public static Image<Rgb24> PasteOnCanvas(string facePath, int canvasWidth, int canvasHeight, int left, int top)
    {
        using var face = Image.Load<Rgb24>(facePath);
        face.Mutate(c => c.Resize(face.Width * PasteScale, face.Height * PasteScale, KnownResamplers.Bicubic));
        var canvas = new Image<Rgb24>(canvasWidth, canvasHeight, new Rgb24(128, 128, 128));
        canvas.Mutate(c => c.DrawImage(face, new Point(left, top), 1f));
        return canvas;
    }

    /// <summary>The image encoded as JPEG (quality 90).</summary>
    public static byte[] Jpeg(Image image)
    {
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream, new SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder { Quality = 90 });
        return stream.ToArray();
    }

    /// <summary>The image encoded as PNG.</summary>
    public static byte[] Png(Image image)
    {
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    /// <summary>Intersection over union of a detected box and a rectangle.</summary>
    public static double Iou(FaceBox box, Rectangle r)
    {
        var w = Math.Min(box.X + box.Width, r.Right) - Math.Max(box.X, r.Left);
        var h = Math.Min(box.Y + box.Height, r.Bottom) - Math.Max(box.Y, r.Top);
        if (w <= 0 || h <= 0)
        {
            return 0;
        }

        var intersection = (double)w * h;
        return intersection / ((box.Width * box.Height) + ((double)r.Width * r.Height) - intersection);
    }

    private static string? FindFer2013Dev() =>
        TestDatasets.Folder("fer2013", "dev") is { } dev && File.Exists(Path.Combine(dev, "labels.csv")) ? dev : null;
}
