using System.Globalization;
using System.Numerics.Tensors;
using System.Text;
using System.Text.Json;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>How many composite examples to build for fusion training, early stopping and testing.</summary>
internal sealed record CompositeSizes(int Train, int EarlyStop, int Test);

/// <summary>What a head kept.</summary>
internal sealed record HeadSummary(string Modality, string Encoder, string Method, int Kept, int InputDimension);

/// <summary>The evaluation report (Markdown + JSON) written by both commands.</summary>
internal sealed class EvaluationReport
{
    private static readonly double[] MeldPublished = [0.63, 0.67];
    private static readonly double[] FerPublished = [0.66, 0.73];
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public required string Title { get; init; }

    public required IReadOnlyList<string> Provenance { get; init; }

    public required IReadOnlyList<string> Data { get; init; }

    public required IReadOnlyList<HeadSummary> Heads { get; init; }

    public required IReadOnlyList<SystemReport> Single { get; init; }

    public FusionEvaluationResult? Fusion { get; init; }

    public IReadOnlyList<string> Training { get; init; } = [];

    public SystemReport? Find(string system) => Single.FirstOrDefault(s => s.System == system);

    public string ToMarkdown()
    {
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"# {Title}\n\n");
        foreach (var line in Provenance)
        {
            s.Append("- ").Append(line).Append('\n');
        }

        s.Append("\n## Data\n\n");
        foreach (var line in Data)
        {
            s.Append("- ").Append(line).Append('\n');
        }

        s.Append("\n## Features kept by selection\n\n| modality | encoder | method | kept | of |\n|---|---|---|---:|---:|\n");
        foreach (var h in Heads)
        {
            s.Append(CultureInfo.InvariantCulture, $"| {h.Modality} | {h.Encoder} | {h.Method} | {h.Kept} | {h.InputDimension} |\n");
        }

        if (Training.Count > 0)
        {
            s.Append("\n## Training\n\n");
            foreach (var line in Training)
            {
                s.Append("- ").Append(line).Append('\n');
            }
        }

        s.Append("\n## Each modality alone (real single-modality evaluation data)\n\n| system | n | accuracy | macro-F1 | weighted-F1 |\n|---|---:|---:|---:|---:|\n");
        foreach (var r in Single)
        {
            s.Append(CultureInfo.InvariantCulture, $"| {r.System} | {r.Report.Total} | {r.Report.Accuracy:F4} | {r.Report.MacroAverage.F1:F4} | {r.Report.WeightedAverage.F1:F4} |\n");
        }

        s.Append('\n').Append(Anchors()).Append('\n');
        if (Fusion is not null)
        {
            s.Append(Fusion.ToMarkdown()).Append('\n');
        }

        s.Append("## Per-class reports of each modality alone\n\n");
        foreach (var r in Single)
        {
            s.Append(r.Report.ToMarkdown(r.System)).Append('\n');
        }

        return s.ToString();
    }

    public string ToJson() => JsonSerializer.Serialize(
        new
        {
            title = Title,
            provenance = Provenance,
            data = Data,
            featuresKept = Heads,
            training = Training,
            single = Single.Select(r => new { system = r.System, report = r.Report.ToDto() }),
            fusion = Fusion is null ? (JsonElement?)null : JsonDocument.Parse(Fusion.ToJson()).RootElement,
            anchors = new
            {
                seedTable2 = "The seed reports per-class precision, recall and F1 (with support, accuracy, macro and weighted averages); its numbers are not reproduced here, only its format.",
                meldTextWeightedF1Published = MeldPublished,
                fer2013TestAccuracyPublishedCnns = FerPublished,
                ravdessSpeakerIndependentMfccLr = 0.57,
                ravdessSpeakerIndependentMfccPerSpeakerZNorm = 0.65,
            },
        },
        JsonOptions);

    private string Anchors()
    {
        string Ours(string system, Func<ClassificationReport, double> metric) =>
            Find(system) is { } r ? metric(r.Report).ToString("F4", CultureInfo.InvariantCulture) : "n/a";

        var meld = Single.FirstOrDefault(r => r.System.StartsWith("text head", StringComparison.Ordinal) && r.System.Contains(" on MELD", StringComparison.Ordinal));
        var s = new StringBuilder("## Anchors (published or measured elsewhere) beside this bundle\n\n| anchor | reference figure | this bundle |\n|---|---|---|\n");
        s.Append("| the seed's Table 2 | per-class P/R/F1 with support, accuracy, macro and weighted averages (format only: its numbers are not cited here) | same format in every table of this report |\n");
        s.Append(CultureInfo.InvariantCulture, $"| MELD text, weighted-F1, strong published models | ≈ 0.63–0.67 (MELD test) | {(meld is null ? "n/a" : meld.Report.WeightedAverage.F1.ToString("F4", CultureInfo.InvariantCulture))} (shipped text head, MELD dev) |\n");
        s.Append(CultureInfo.InvariantCulture, $"| MELD text, frozen MiniLM + LR (models.md) | accuracy 0.59, weighted-F1 0.56, macro-F1 0.38 (MELD test); class-balanced: weighted-F1 0.51, macro-F1 0.37 | {(meld is null ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"accuracy {meld.Report.Accuracy:F4}, weighted-F1 {meld.Report.WeightedAverage.F1:F4}, macro-F1 {meld.Report.MacroAverage.F1:F4}"))} (shipped text head, MELD dev) |\n");
        s.Append(CultureInfo.InvariantCulture, $"| FER2013 accuracy, published CNNs | ≈ 0.66–0.73 (FER2013 test) | ResNet18 + selection + head {Ours(FaceHeadSystem, r => r.Accuracy)}; pretrained FER2013 expression model {Ours(FerSystem, r => r.Accuracy)} (same FER2013 dev images) |\n");
        s.Append("| FER2013, ResNet18 ImageNet features + LR (models.md) | 0.46 (FER2013 test) | see the ResNet18 row above |\n");
        s.Append(CultureInfo.InvariantCulture, $"| RAVDESS speaker-independent, 40 MFCC + stats + LR (models.md) | 0.57; per-speaker z-norm 0.65 | speech head {Ours(SpeechSystem, r => r.Accuracy)} with running per-call normalisation, {Ours(SpeechWholeSpeakerSystem, r => r.Accuracy)} with whole-actor statistics (actors outside 1–16) |\n");
        return s.ToString();
    }

    public const string FaceHeadSystem = "face: ResNet18 + selection + head on FER2013";
    public const string FerSystem = "face: pretrained FER2013 expression model on FER2013";
    public const string SpeechSystem = "speech head on RAVDESS held-out actors";
    public const string SpeechWholeSpeakerSystem = "speech head on RAVDESS held-out actors, each actor normalised over all their clips";
}

/// <summary>
/// Scores a bundle on a <see cref="DevSet"/>: each head alone on each dataset, the pretrained FER2013
/// model on the same images, then the fusion on composites. Every modality's evaluation logits are
/// split into two stratified halves (seeded): composites for early stopping (and for fitting the
/// concatenation baseline) come from the first, test composites from the second, so no item is in both.
/// </summary>
internal static class BundleEvaluator
{
    /// <summary>
    /// The text head's inputs on a split: the embeddings, or the embeddings with dialogue context (and
    /// the speaker's previous turn) cut to the width the head reads.
    /// </summary>
    public static IReadOnlyList<float[]> TextInputs(ModalityHead head, DevSplit split)
    {
        if (head.InputDimension == split.Features[0].Length)
        {
            return split.Features;
        }

        var extended = split.Extended ?? throw new InvalidOperationException($"{split.Name} has no context features.");
        return extended[0].Length == head.InputDimension ? extended : [.. extended.Select(f => f[..head.InputDimension])];
    }

    /// <summary>
    /// The speech head's inputs on a split: the CNN embedding, or [MFCC statistics; embedding]
    /// normalised per speaker with running statistics (as a live call), or with each speaker's
    /// statistics over all their clips when <paramref name="wholeSpeaker"/>.
    /// </summary>
    public static IReadOnlyList<float[]> SpeechInputs(ModalityHead head, SpeakerNormalizer? normalizer, DevSplit split, int seed, bool wholeSpeaker = false)
    {
        if (head.InputDimension == split.Features[0].Length)
        {
            return split.Features;
        }

        var combined = split.Extended ?? throw new InvalidOperationException($"{split.Name} has no combined speech features.");
        return normalizer is null ? combined
            : wholeSpeaker ? SpeakerFeatures.WholeSpeaker(combined, split.Groups, normalizer)
            : SpeakerFeatures.Running(combined, split.Groups, normalizer, seed);
    }

    /// <summary>The face logits the fusion reads: the ResNet18 head's, or the expression model's log-probabilities.</summary>
    public static float[][] FaceLogits(ModalityHead head, string faceSource, DevSplit split, float[][]? expression) =>
        string.Equals(faceSource, InferenceModels.FerFaceSource, StringComparison.Ordinal)
            ? [.. (expression ?? throw new InvalidOperationException("The expression model's outputs are missing.")).Select(p => p.Select(v => MathF.Log(MathF.Max(v, FerExpressionModel.MinProbability))).ToArray())]
            : HeadEvaluation.Logits(head, split.Features);

    /// <summary>
    /// Splits each modality's evaluation logits (stratified, seeded) into three disjoint parts:
    /// 40 % for fusion training (and the concatenation baseline's fit), 20 % for early stopping, 40 % for the test composites.
    /// </summary>
    public static (ModalityPool? Text, ModalityPool? Speech, ModalityPool? Face)[] Parts(ModalityHead text, ModalityHead speech, SpeakerNormalizer? normalizer, ModalityHead face, string faceSource, DevSet dev, int seed)
    {
        var textRows = new List<float[]>();
        var textLabels = new List<EmotionLabel>();
        foreach (var split in new[] { dev.Meld, dev.GoEmotions }.OfType<DevSplit>())
        {
            textRows.AddRange(HeadEvaluation.Logits(text, TextInputs(text, split)));
            textLabels.AddRange(split.Labels);
        }

        var t = Split(textRows, textLabels, seed);
        var s = dev.Ravdess is null ? default : Split(HeadEvaluation.Logits(speech, SpeechInputs(speech, normalizer, dev.Ravdess, seed)), dev.Ravdess.Labels, seed);
        var f = dev.Fer is null ? default : Split(FaceLogits(face, faceSource, dev.Fer, dev.FerExpression), dev.Fer.Labels, seed);
        return [(t.Train, s.Train, f.Train), (t.Stop, s.Stop, f.Stop), (t.Test, s.Test, f.Test)];
    }

    public static IReadOnlyList<FusionExample> Composites((ModalityPool? Text, ModalityPool? Speech, ModalityPool? Face) pools, int count, int seed) =>
        CompositeBuilder.Build([pools.Text, pools.Speech, pools.Face], new CompositeOptions(count, 0f, null, seed));

    public static (IReadOnlyList<SystemReport> Single, FusionEvaluationResult? Fusion) Evaluate(ModelBundle bundle, DevSet dev, CompositeSizes sizes, int seed, IReadOnlyList<SystemReport>? paperPaths = null)
    {
        var single = new List<SystemReport>();
        void Add(string name, ModalityHead head, DevSplit? split, Func<DevSplit, IReadOnlyList<float[]>> inputs)
        {
            if (split is not null)
            {
                single.Add(new SystemReport(name, HeadEvaluation.Report(head, new LabelledFeatures(inputs(split), split.Labels))));
            }
        }

        var kind = bundle.TextHead.Projection is null ? "balanced LR" : "balanced MLP head";
        var text = (bundle.TextHead.InputDimension / MiniLmEncoder.EmbeddingDimension) switch
        {
            1 => $"text head ({kind} on the full MiniLM embedding)",
            2 => $"text head ({kind} on MiniLM + dialogue context)",
            _ => $"text head ({kind} on MiniLM + dialogue context + speaker's previous turn)",
        };
        Add($"{text} on {dev.Meld?.Name}", bundle.TextHead, dev.Meld, s => TextInputs(bundle.TextHead, s));
        Add($"{text} on {dev.GoEmotions?.Name}", bundle.TextHead, dev.GoEmotions, s => TextInputs(bundle.TextHead, s));
        Add(EvaluationReport.SpeechSystem, bundle.SpeechHead, dev.Ravdess, s => SpeechInputs(bundle.SpeechHead, bundle.SpeakerNormalizer, s, seed));
        if (bundle.SpeakerNormalizer is not null)
        {
            Add(EvaluationReport.SpeechWholeSpeakerSystem, bundle.SpeechHead, dev.Ravdess, s => SpeechInputs(bundle.SpeechHead, bundle.SpeakerNormalizer, s, seed, wholeSpeaker: true));
        }

        single.AddRange(paperPaths ?? []);
        Add(EvaluationReport.FaceHeadSystem, bundle.FaceHead, dev.Fer, s => s.Features);
        if (dev.Fer is not null && dev.FerExpression is not null)
        {
            single.Add(new SystemReport(
                EvaluationReport.FerSystem,
                ClassificationReport.From(dev.Fer.Labels, [.. dev.FerExpression.Select(p => (EmotionLabel)TensorPrimitives.IndexOfMax<float>(p))])));
        }

        var parts = Parts(bundle.TextHead, bundle.SpeechHead, bundle.SpeakerNormalizer, bundle.FaceHead, bundle.FaceSource, dev, seed);
        if (parts[0] == default || parts[2] == default)
        {
            return (single, null);
        }

        var fit = Composites(parts[0], sizes.Train, seed);
        var test = Composites(parts[2], sizes.Test, seed + 2);
        var alternates = "";
        foreach (var (source, alternate) in bundle.Fusions.Where(f => !string.Equals(f.Key, bundle.FaceSource, StringComparison.Ordinal)))
        {
            var p = Parts(bundle.TextHead, bundle.SpeechHead, bundle.SpeakerNormalizer, bundle.FaceHead, source, dev, seed);
            var result = FusionEvaluation.Evaluate(alternate, Composites(p[0], sizes.Train, seed), Composites(p[2], sizes.Test, seed + 2), "", seed);
            alternates += $" The alternate fusion over {source} face logits, on the same items' composites: "
                + string.Join(", ", result.Systems.Where(r => r.System is "face alone" or "concatenation + logistic regression" or "attention + MLP fusion")
                    .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.System} accuracy {r.Report.Accuracy:F4}"))) + ".";
        }

        return (single, FusionEvaluation.Evaluate(bundle.Fusion, fit, test, FusionEvaluation.CompositeNote + " The fusion and the concatenation baseline are fitted on composites of 40 % of each evaluation split's items, early stopping uses another 20 %, and the test composites come from the remaining 40 %: no item is in two of them, and none was seen by the heads." + (string.Equals(bundle.FaceSource, InferenceModels.FerFaceSource, StringComparison.Ordinal) ? " Face logits are the pretrained FER2013 expression model's log-probabilities (the live face path)." : "") + alternates, seed));
    }

    private static (ModalityPool? Train, ModalityPool? Stop, ModalityPool? Test) Split(IReadOnlyList<float[]> logits, IReadOnlyList<EmotionLabel> labels, int seed)
    {
        if (logits.Count == 0)
        {
            return default;
        }

        var (rest, test) = new LabelledFeatures(logits, labels).StratifiedSplit(0.4, seed);
        var (train, stop) = rest.StratifiedSplit(1.0 / 3, seed + 1);
        return (Pool(train), Pool(stop), Pool(test));
    }

    private static ModalityPool? Pool(LabelledFeatures part) => part.Count == 0 ? null : new ModalityPool(part.Features, part.Labels);
}
