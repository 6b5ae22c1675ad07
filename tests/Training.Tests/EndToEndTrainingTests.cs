using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training.Tests;

/// <summary>A tiny real training run (a few dozen items per dataset) through the two commands.</summary>
public sealed class EndToEndTrainingTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "emotion-e2e-" + Guid.NewGuid().ToString("N"));

    [SkippableFact]
    public void Train_writes_a_loadable_bundle_and_evaluate_scores_it()
    {
        var source = Datasets.Require(".");
        var datasets = Path.Combine(_root, "datasets");
        TinyDatasets.Write(source, datasets, perDataset: 40);
        var bundleDirectory = Path.Combine(_root, "bundle");
        var cache = Path.Combine(_root, "cache");
        var aligned = Path.Combine(_root, "aligned");
        Directory.CreateDirectory(aligned);
        File.WriteAllLines(Path.Combine(aligned, "aligned.csv"), ["id,label,text,audio,frame", "a,joy,\"That is great news, thank you!\",,", "b,anger,\"I am furious about this bill.\",,", "c,sadness,\"I feel so alone.\",,", "d,neutral,\"My number is four five six.\",,", "e,fear,\"I am scared of what comes next.\",,"]);

        var trainExit = Program.TrainOrEvaluate(["train", "--datasets", datasets, "--out", bundleDirectory, "--cache", cache, "--seed", "3", "--quick", "--aligned", aligned]);

        Assert.Equal(0, trainExit);
        var bundle = ModelBundle.Load(bundleDirectory);
        Assert.Equal(3, bundle.Manifest.Training.Seed);
        Assert.Contains(UpstreamModels.MiniLm, bundle.Manifest.Upstream.Keys);
        Assert.Contains("speech-cnn", bundle.Manifest.Upstream.Keys);
        Assert.Equal(InferenceModels.FerFaceSource, bundle.FaceSource);
        Assert.NotNull(bundle.FusionFor(InferenceModels.ResNet18FaceSource));
        // The grid may choose a head with or without dialogue context; the bundle records which.
        Assert.Contains(bundle.TextHead.InputDimension, new[] { MiniLmEncoder.EmbeddingDimension, 2 * MiniLmEncoder.EmbeddingDimension });
        Assert.Equal(bundle.TextHead.InputDimension > MiniLmEncoder.EmbeddingDimension ? DialogueContext.DefaultTurns : 0, bundle.TextContextTurns);
        Assert.NotNull(bundle.SpeakerNormalizer);
        Assert.True(File.Exists(Path.Combine(bundleDirectory, "report.md")));
        Assert.Contains(bundle.Manifest.Training.Data, d => d.StartsWith($"aligned data {aligned}: 5 rows, 5 used", StringComparison.Ordinal) && d.Contains("4 added to the fusion's training examples and 1 to early stopping", StringComparison.Ordinal));

        var reportDirectory = Path.Combine(_root, "report");
        var evaluateExit = Program.TrainOrEvaluate(["evaluate", "--datasets", datasets, "--bundle", bundleDirectory, "--out", reportDirectory, "--cache", cache, "--quick"]);

        Assert.Equal(0, evaluateExit);
        var report = File.ReadAllText(Path.Combine(reportDirectory, "report.md"));
        Assert.Contains("attention + MLP fusion", report, StringComparison.Ordinal);
        Assert.Contains("Features kept by selection", report, StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(reportDirectory, "report.json")));
        Assert.True(json.RootElement.GetProperty("single").GetArrayLength() >= 4);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}

/// <summary>Copies a few dozen items of each dataset, in the shared formats, into a new folder.</summary>
internal static class TinyDatasets
{
    public static void Write(string source, string target, int perDataset)
    {
        var meld = Path.Combine(target, "meld");
        Directory.CreateDirectory(meld);
        foreach (var split in new[] { "train", "dev" })
        {
            var lines = ReadRecords(Path.Combine(source, "meld", $"{split}_sent_emo.csv"));
            File.WriteAllText(Path.Combine(meld, $"{split}_sent_emo.csv"), string.Concat(lines.Take(perDataset + 1)));
        }

        var go = Path.Combine(target, "goemotions");
        Directory.CreateDirectory(go);
        foreach (var file in new[] { "emotions.txt", "ekman_mapping.json" })
        {
            File.Copy(Path.Combine(source, "goemotions", file), Path.Combine(go, file));
        }

        foreach (var split in new[] { "train", "dev" })
        {
            File.WriteAllLines(Path.Combine(go, $"{split}.tsv"), File.ReadLines(Path.Combine(source, "goemotions", $"{split}.tsv")).Take(perDataset));
        }

        // Training actors 01 and 02, evaluation actor 17: every emotion of each.
        var ravdess = Path.Combine(target, "ravdess");
        var ravdessLines = File.ReadAllLines(Path.Combine(source, "ravdess", "labels.csv"));
        var kept = new List<string> { ravdessLines[0] };
        foreach (var actor in new[] { "Actor_01/", "Actor_02/", "Actor_17/" })
        {
            kept.AddRange(ravdessLines.Skip(1).Where(l => l.StartsWith(actor, StringComparison.Ordinal)).Where((_, i) => i % 4 == 0).Take(perDataset / 2));
        }

        CopyListed(Path.Combine(source, "ravdess"), ravdess, kept);

        foreach (var split in new[] { "train", "dev" })
        {
            var lines = File.ReadAllLines(Path.Combine(source, "fer2013", split, "labels.csv"));
            var byLabel = lines.Skip(1).GroupBy(l => l.Split(',')[3]).SelectMany(g => g.Take(Math.Max(2, perDataset / 7)));
            CopyListed(Path.Combine(source, "fer2013", split), Path.Combine(target, "fer2013", split), [lines[0], .. byLabel]);
        }
    }

    private static void CopyListed(string from, string to, IReadOnlyList<string> labelLines)
    {
        Directory.CreateDirectory(to);
        File.WriteAllLines(Path.Combine(to, "labels.csv"), labelLines);
        foreach (var line in labelLines.Skip(1))
        {
            var relative = line.Split(',')[0];
            var destination = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(Path.Combine(from, relative), destination);
        }
    }

    /// <summary>CSV records (a quoted field may span lines), each with its line ending.</summary>
    private static List<string> ReadRecords(string path)
    {
        var records = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in File.ReadAllText(path))
        {
            current.Append(c);
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == '\n' && !quoted)
            {
                records.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            records.Add(current.ToString());
        }

        return records;
    }
}
