using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Xunit.Abstractions;

namespace Emotion.Orleans.Inference.Tests;

/// <summary>
/// The converted face models on real faces (FER2013 dev split in shared/datasets): confirms the
/// documented preprocessing and label order, not only equality with TF.js. Skipped without the data.
/// </summary>
public sealed class ConvertedModelDatasetTests
{
    private const int PerLabel = 40;
    private const int Size = 96;

    // The model's output order (models.md), mapped to the product's labels by name.
    private static readonly EmotionLabel[] FerOrder = new[] { "angry", "disgust", "fear", "happy", "sad", "surprise", "neutral" }
        .Select(EmotionLabels.Parse).ToArray();

    private readonly ITestOutputHelper _output;

    public ConvertedModelDatasetTests(ITestOutputHelper output) => _output = output;

    [SkippableFact]
    public void Fer_expression_recognises_FER2013_dev_faces_far_above_chance()
    {
        var faces = DevFaces();
        using var session = new OnnxSessionFactory().Create(ModelFiles.FerExpression);

        var input = new float[faces.Count * 64 * 64];
        for (var n = 0; n < faces.Count; n++)
        {
            using var image = Image.Load<L8>(faces[n].Path);
            image.Mutate(x => x.Resize(64, 64));
            for (var y = 0; y < 64; y++)
            {
                for (var x = 0; x < 64; x++)
                {
                    input[(n * 4096) + (y * 64) + x] = ((image[x, y].PackedValue / 255f) - 0.5f) * 2f;
                }
            }
        }

        using var value = OrtValue.CreateTensorValueFromMemory(input, [faces.Count, 64, 64, 1]);
        using var options = new RunOptions();
        using var results = session.Run(options, ["input"], [value], ["probabilities"]);
        var probabilities = results[0].GetTensorDataAsSpan<float>().ToArray();

        var correct = 0;
        var confusion = new int[EmotionLabels.Count, EmotionLabels.Count];
        for (var n = 0; n < faces.Count; n++)
        {
            var row = probabilities.AsSpan(n * 7, 7);
            var predicted = FerOrder[row.IndexOf(row.ToArray().Max())];
            confusion[(int)faces[n].Label, (int)predicted]++;
            correct += predicted == faces[n].Label ? 1 : 0;
        }

        var accuracy = (double)correct / faces.Count;
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy {accuracy:F3} on {faces.Count} FER2013 dev faces ({PerLabel} per label)"));
        foreach (var label in EmotionLabels.All)
        {
            _output.WriteLine($"{EmotionLabels.Name(label),-9} {string.Join(" ", EmotionLabels.All.Select(p => confusion[(int)label, (int)p].ToString(CultureInfo.InvariantCulture).PadLeft(3)))}");
        }

        // Chance is 1/7; the published model reaches about 0.67 on the FER2013 test split. A wrong
        // label order or input scaling drops far below 0.5.
        Assert.InRange(accuracy, 0.5, 1.0);
    }

    [SkippableFact]
    public void BlazeFace_finds_a_face_in_FER2013_dev_faces_and_none_in_a_blank_frame()
    {
        var faces = DevFaces().Where((_, i) => i % 4 == 0).ToList();
        using var session = new OnnxSessionFactory().Create(ModelFiles.BlazeFace);

        // A 48x48 face in the middle of a mid-grey 128x128 frame, grey copied to R, G and B, scaled to [-1, 1].
        var input = new float[(faces.Count + 1) * 128 * 128 * 3];
        for (var n = 0; n < faces.Count; n++)
        {
            using var image = Image.Load<L8>(faces[n].Path);
            image.Mutate(x => x.Resize(Size, Size));
            var offset = (128 - Size) / 2;
            for (var y = 0; y < 128; y++)
            {
                for (var x = 0; x < 128; x++)
                {
                    var inside = y >= offset && y < offset + Size && x >= offset && x < offset + Size;
                    var grey = inside ? (image[x - offset, y - offset].PackedValue / 127.5f) - 1f : 0f;
                    var i = ((((n * 128) + y) * 128) + x) * 3;
                    input[i] = input[i + 1] = input[i + 2] = grey;
                }
            }
        }

        using var value = OrtValue.CreateTensorValueFromMemory(input, [faces.Count + 1, 128, 128, 3]);
        using var options = new RunOptions();
        using var results = session.Run(options, ["input"], [value], ["scores_16", "scores_8"]);
        var scores16 = results[0].GetTensorDataAsSpan<float>().ToArray();
        var scores8 = results[1].GetTensorDataAsSpan<float>().ToArray();
        var best = Enumerable.Range(0, faces.Count + 1)
            .Select(n => 1 / (1 + Math.Exp(-Math.Max(scores16.AsSpan(n * 512, 512).ToArray().Max(), scores8.AsSpan(n * 384, 384).ToArray().Max()))))
            .ToArray();

        var found = best.Take(faces.Count).Count(p => p >= 0.5);
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"face found (best anchor >= 0.5) in {found} of {faces.Count} faces; median best {best.Take(faces.Count).Order().ElementAt(faces.Count / 2):F3}; blank frame best {best[^1]:F3}"));
        Assert.InRange((double)found / faces.Count, 0.8, 1.0);
        Assert.InRange(best[^1], 0.0, 0.5);
    }

    private static List<(string Path, EmotionLabel Label)> DevFaces()
    {
        var root = TestDatasets.Root;
        Skip.If(root is null, "shared/datasets not found (set EMOTION_DATASETS)");
        var dev = Path.Combine(root!, "fer2013", "dev");
        Skip.IfNot(File.Exists(Path.Combine(dev, "labels.csv")), $"{dev}/labels.csv not found");

        var faces = new List<(string, EmotionLabel)>();
        var taken = new int[EmotionLabels.Count];
        foreach (var line in File.ReadLines(Path.Combine(dev, "labels.csv")).Skip(1))
        {
            // path,filename,label_orig,label7,fer_usage,md5,identical_copies,identical_copy_in_other_split,identical_copy_label_conflict
            var columns = line.Split(',');
            if (columns.Length < 9 || columns[8] != "0")
            {
                continue;
            }

            var label = EmotionLabels.Parse(columns[3]);
            if (taken[(int)label] < PerLabel)
            {
                taken[(int)label]++;
                faces.Add((Path.Combine(dev, columns[0]), label));
            }
        }

        return faces;
    }
}
