using System.Globalization;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>
/// <c>evaluate</c>: loads a bundle and scores it on the evaluation splits of any datasets folder in
/// the shared formats, through the same encoders and heads the recognizers use. Never trains the
/// bundle (only the concatenation baseline is fitted, on the composites of the first 40 % of each evaluation split, as in training).
/// </summary>
internal static class EvaluateCommand
{
    public static int Run(string datasets, string bundleDirectory, string output, string cache, string split, int? cap, bool quick, TextWriter log)
    {
        var bundle = ModelBundle.Load(bundleDirectory);
        var seed = bundle.Manifest.Training.Seed;
        using var encoders = new FeatureExtractor(new FeatureCache(cache), bundle.SpeechCnnPath, log, bundle.ReadTextEncoderPatch());
        bundle.VerifyUpstream(UpstreamModels.MiniLm, encoders.MiniLmSha256);
        bundle.VerifyUpstream(UpstreamModels.ResNet18, encoders.ResNet18Sha256);
        bundle.VerifyUpstream(UpstreamModels.SpeechCnn, encoders.SpeechCnnSha256);
        var dev = DevSet.Load(datasets, split, cap, seed, encoders, log);
        var sizes = quick ? new CompositeSizes(6000, 1500, 3000) : new CompositeSizes(20000, 3000, 6000);
        var (single, fusion) = BundleEvaluator.Evaluate(bundle, dev, sizes, seed);
        var report = new EvaluationReport
        {
            Title = "Emotion bundle: evaluation report",
            Provenance = [$"bundle: {Path.GetFullPath(bundleDirectory)}", .. TrainCommand.Provenance(bundle.Manifest)],
            Data = [.. dev.Description.Select(d => d + " (evaluation)")],
            Heads = TrainCommand.Heads(bundle),
            Single = single,
            Fusion = fusion,
        };
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "report.md"), report.ToMarkdown());
        File.WriteAllText(Path.Combine(output, "report.json"), report.ToJson());
        foreach (var r in single.Concat(fusion?.Systems ?? []))
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.System,-60} n={r.Report.Total,5} acc {r.Report.Accuracy:F4} macro-F1 {r.Report.MacroAverage.F1:F4} weighted-F1 {r.Report.WeightedAverage.F1:F4}"));
        }

        log.WriteLine($"report written to {output}");
        return 0;
    }

    /// <summary>Part of the aligned rows (seeded) that fits the concatenation baseline and the noise statistics; the rest is the test set.</summary>
    public const double AlignedFitFraction = 0.4;

    /// <summary>
    /// <c>evaluate --aligned</c>: runs every row of an aligned-data folder through the product's
    /// recognizers built from the bundle, then scores the bundle's fusion and the baselines on the
    /// aligned test rows (a seeded 40 % of the rows only fits the concatenation baseline).
    /// </summary>
    public static int RunAligned(string folder, string bundleDirectory, string output, int seed, TextWriter log)
    {
        var rows = AlignedData.Read(folder);
        using var models = new InferenceModels(new InferenceOptions { BundlePath = bundleDirectory });
        var (examples, dropped) = AlignedData.Examples(models, rows);
        if (examples.Count < 2)
        {
            throw new FormatException($"{folder}: {examples.Count} usable aligned rows; need at least 2 (one to fit the concatenation baseline, one to test).");
        }

        var (fit, test) = AlignedData.Split(examples, AlignedFitFraction, seed);
        var present = string.Join(", ", Enum.GetValues<Modality>().Select(m => $"{m.ToString().ToLowerInvariant()} {examples.Count(e => e.Has(m))}"));
        var note = string.Create(
            CultureInfo.InvariantCulture,
            $"Evaluated on aligned data ({Path.GetFullPath(folder)}): every modality of a row comes from the same item, through the product's recognizers. {test.Count} aligned test rows; the concatenation baseline and the noise statistics are fitted on {fit.Count} other aligned rows (seed {seed}). The fusion was not trained on them.");
        var bundle = models.Bundle;
        var report = new EvaluationReport
        {
            Title = "Emotion bundle: evaluation report on aligned data",
            Provenance = [$"bundle: {Path.GetFullPath(bundleDirectory)}", .. TrainCommand.Provenance(bundle.Manifest)],
            Data =
            [
                string.Create(CultureInfo.InvariantCulture, $"aligned data: {Path.GetFullPath(folder)}, {rows.Count} rows, {examples.Count} with at least one modality recognised ({dropped} dropped: only a frame, without a detected face)"),
                $"modalities present: {present}",
                string.Create(CultureInfo.InvariantCulture, $"aligned rows: {examples.Count} (fit {fit.Count}, test {test.Count})"),
            ],
            Heads = TrainCommand.Heads(bundle),
            Single = [],
            Fusion = FusionEvaluation.Evaluate(bundle.Fusion, fit, test, note, seed),
        };
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "report.md"), report.ToMarkdown());
        File.WriteAllText(Path.Combine(output, "report.json"), report.ToJson());
        foreach (var r in report.Fusion.Systems)
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.System,-60} n={r.Report.Total,5} acc {r.Report.Accuracy:F4} macro-F1 {r.Report.MacroAverage.F1:F4} weighted-F1 {r.Report.WeightedAverage.F1:F4}"));
        }

        log.WriteLine($"report written to {output}");
        return 0;
    }
}
