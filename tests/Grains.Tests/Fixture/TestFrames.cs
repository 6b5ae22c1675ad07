using System.Globalization;
using Emotion.Orleans.Inference;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>
/// Video frames for the tests: the sample call's frames (an empty desk: no face), faces from the
/// FER2013 dev split of the shared datasets pasted on a grey 320×240 canvas (when the datasets are
/// there), and bytes that are no image.
/// </summary>
public static class TestFrames
{
    public const string NoDatasets = "FER2013 dev split not found (set EMOTION_DATASETS): no face images to send.";

    private static readonly Lazy<string?> Fer2013Dev = new(FindFer2013Dev);

    /// <summary>A PNG frame of the sample call: a desk and a monitor, nobody in view.</summary>
    public static byte[] NoFace { get; } = File.ReadAllBytes(Path.Combine(TestAudio.SampleFolder(), "frames", "000000.png"));

    public static byte[] NotAnImage { get; } = "this is not an image"u8.ToArray();

    /// <summary>True when face images are available.</summary>
    public static bool HaveFaces => Fer2013Dev.Value is not null;

    /// <summary>
    /// A PNG frame showing the <paramref name="index"/>-th FER2013 dev face (file order, single copies
    /// without label conflicts) labelled <paramref name="label"/>, ×4 on a grey canvas.
    /// </summary>
    public static byte[] Face(EmotionLabel label, int index = 0)
    {
        var root = Fer2013Dev.Value ?? throw new InvalidOperationException(NoDatasets);
        var lines = File.ReadAllLines(Path.Combine(root, "labels.csv"));
        var header = lines[0].Split(',');
        int Column(string name) => Array.IndexOf(header, name);
        var (path, label7, copies, conflict) = (Column("path"), Column("label7"), Column("identical_copies"), Column("identical_copy_label_conflict"));
        var file = lines.Skip(1)
            .Select(l => l.Split(','))
            .Where(f => f[label7] == EmotionLabels.Name(label) && int.Parse(f[copies], CultureInfo.InvariantCulture) == 1 && f[conflict] == "0")
            .Select(f => f[path])
            .Order(StringComparer.Ordinal)
            .ElementAt(index);

        using var face = Image.Load<Rgb24>(Path.Combine(root, file));
        face.Mutate(c => c.Resize(face.Width * 4, face.Height * 4, KnownResamplers.Bicubic));
        using var canvas = new Image<Rgb24>(320, 240, new Rgb24(128, 128, 128));
        canvas.Mutate(c => c.DrawImage(face, new Point(64, 24), 1f));
        using var png = new MemoryStream();
        canvas.SaveAsPng(png);
        return png.ToArray();
    }

    private static string? FindFer2013Dev()
    {
        static string? Dev(string datasets)
        {
            var dev = Path.Combine(datasets, "fer2013", "dev");
            return File.Exists(Path.Combine(dev, "labels.csv")) ? dev : null;
        }

        if (Environment.GetEnvironmentVariable("EMOTION_DATASETS") is { Length: > 0 } fromEnv)
        {
            return Dev(fromEnv);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Dev(Path.Combine(dir.FullName, "shared", "datasets")) is { } dev)
            {
                return dev;
            }
        }

        return null;
    }
}
