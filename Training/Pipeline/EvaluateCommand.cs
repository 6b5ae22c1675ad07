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
        using var encoders = new FeatureExtractor(new FeatureCache(cache), bundle.SpeechCnnPath, log);
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
}
