using System.Globalization;
using Emotion.Orleans.Grains;
using Emotion.Orleans.Inference;
using Microsoft.Extensions.DependencyInjection;

namespace Emotion.Orleans.Deploy.Tests;

[Collection(SiloMetricsDefinition.Name)]
public sealed class SiloMetricsTests(SiloMetricsFixture silo)
{
    [Fact]
    public async Task Every_product_series_appears_on_the_metrics_endpoint_once_recorded()
    {
        RecordEveryInstrument(silo.Metrics);
        var scrape = await silo.ScrapeAsync();
        var missing = EmotionMetrics.PrometheusNames.Series.Where(s => !scrape.Contains(s)).ToList();
        Assert.True(missing.Count == 0, "Missing from /metrics: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Every_metric_the_dashboard_queries_appears_on_the_metrics_endpoint()
    {
        RecordEveryInstrument(silo.Metrics);

        // The first scrape is itself an HTTP request: the API panels' series exist from then on.
        await silo.ScrapeAsync();
        var scrape = await silo.ScrapeAsync();
        var missing = DashboardTests.MetricNames().Where(n => !scrape.Contains(n)).ToList();
        Assert.True(missing.Count == 0, "Dashboard metrics missing from /metrics: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Runtime_orleans_and_hosting_series_on_the_endpoint_are_the_ones_the_dashboard_check_allows()
    {
        await silo.ScrapeAsync();
        var scrape = await silo.ScrapeAsync();
        var runtime = scrape.Select(g => g.Key).Where(n => n.StartsWith("dotnet_", StringComparison.Ordinal)).ToList();
        var orleans = scrape.Select(g => g.Key).Where(n => n.StartsWith("orleans_", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(runtime);
        Assert.NotEmpty(orleans);
        Assert.All(runtime, n => Assert.Contains(n, ExportedMetrics.RuntimeSeries));
        Assert.All(orleans, n => Assert.True(ExportedMetrics.IsExported(n), n));

        // The scrape before this one was an HTTP request, so the hosting series exist.
        Assert.All(ExportedMetrics.AspNetCoreSeries, n => Assert.Contains(n, scrape.Select(g => g.Key)));
    }

    [Fact]
    public async Task Latency_histograms_of_the_product_and_of_orleans_use_the_millisecond_buckets()
    {
        RecordEveryInstrument(silo.Metrics);
        var scrape = await silo.ScrapeAsync();
        string[] expected = [.. EmotionMetrics.LatencyBucketsMs.Select(b => b.ToString(CultureInfo.InvariantCulture)), "+Inf"];
        Assert.Equal(expected, BucketBounds(scrape, EmotionMetrics.PrometheusNames.FusionLatency + "_bucket"));
        Assert.Equal(expected, BucketBounds(scrape, "orleans_app_requests_latency_milliseconds_bucket"));
        string[] batches = [.. EmotionMetrics.BatchSizeBuckets.Select(b => b.ToString(CultureInfo.InvariantCulture)), "+Inf"];
        Assert.Equal(batches, BucketBounds(scrape, EmotionMetrics.PrometheusNames.BatchSize + "_bucket").Distinct());
    }

    [Fact]
    public async Task The_silo_reports_itself_as_a_gpu_silo()
    {
        var scrape = await silo.ScrapeAsync();
        var line = Assert.Single(scrape[EmotionMetrics.PrometheusNames.SiloInfo]);
        Assert.Contains("gpu=\"true\"", line, StringComparison.Ordinal);
        Assert.Equal(1, Value(line));
    }

    [Fact]
    public async Task Labels_carry_modality_stage_and_reason_but_never_a_call_id()
    {
        const string callId = "call-5f0c1e9a";
        RecordEveryInstrument(silo.Metrics);
        silo.Metrics.Refused(InputModality.Face, new OutOfOrderTimestampException(callId, InputModality.Face, TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        var text = await silo.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.DoesNotContain(callId, text, StringComparison.Ordinal);
        Assert.Contains("modality=\"face\"", text, StringComparison.Ordinal);
        Assert.Contains("reason=\"out_of_order\"", text, StringComparison.Ordinal);
        Assert.Contains("stage=\"classifier\"", text, StringComparison.Ordinal);
        Assert.Contains("error_type=\"model_bundle\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_flight_requests_go_back_down_when_their_scope_ends()
    {
        using (silo.Metrics.TrackInFlight(Modality.Speech))
        using (silo.Metrics.TrackInFlight(Modality.Speech))
        {
            Assert.Equal(2, InFlight(await silo.ScrapeAsync(), "speech"));
        }

        Assert.Equal(0, InFlight(await silo.ScrapeAsync(), "speech"));
    }

    [Fact]
    public async Task The_recognizers_of_the_silo_report_their_stage_times_to_the_metrics_endpoint()
    {
        var services = silo.App.Services;
        var before = await silo.ScrapeAsync();
        var frame = await File.ReadAllBytesAsync(Path.Combine(DeployFiles.RepositoryRoot, "samples", "call-001", "frames", "000000.png"));
        var tone = new float[16000];
        for (var i = 0; i < tone.Length; i++)
        {
            tone[i] = 0.3f * MathF.Sin(2 * MathF.PI * 220 * i / 16000);
        }

        services.GetRequiredService<ITextRecognizer>().Recognize(["I was charged twice this month.", "Thank you, that's a relief."]);
        services.GetRequiredService<ISpeechRecognizer>().Recognize([tone]);

        // The sample call's frames show no face: only the decode stage (with detection) runs.
        Assert.Null(Assert.Single(services.GetRequiredService<IFaceRecognizer>().Recognize([frame])).Prediction);
        var after = await silo.ScrapeAsync();

        foreach (var modality in new[] { "text", "speech" })
        {
            foreach (var stage in new[] { "decode", "model", "classifier" })
            {
                Assert.Equal(1, StageCount(after, modality, stage) - StageCount(before, modality, stage));
            }
        }

        Assert.Equal(1, StageCount(after, "face", "decode") - StageCount(before, "face", "decode"));
        Assert.Equal(0, StageCount(after, "face", "model") - StageCount(before, "face", "model"));
    }

    private static double StageCount(ILookup<string, string> scrape, string modality, string stage) =>
        scrape[EmotionMetrics.PrometheusNames.StageLatency + "_count"]
            .Where(l => l.Contains($"modality=\"{modality}\"", StringComparison.Ordinal) && l.Contains($"stage=\"{stage}\"", StringComparison.Ordinal))
            .Sum(Value);

    private static double InFlight(ILookup<string, string> scrape, string modality) =>
        Value(Assert.Single(scrape[EmotionMetrics.PrometheusNames.WorkerInFlight], l => l.Contains($"modality=\"{modality}\"", StringComparison.Ordinal)));

    // A sample line: name{labels} value [timestamp]; label values here hold no spaces.
    private static double Value(string line) =>
        double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    private static List<string> BucketBounds(ILookup<string, string> scrape, string bucketSeries) =>
        scrape[bucketSeries]
            .Select(l => l[(l.IndexOf("le=\"", StringComparison.Ordinal) + 4)..])
            .Select(l => l[..l.IndexOf('"', StringComparison.Ordinal)])
            .Distinct()
            .ToList();

    private static void RecordEveryInstrument(EmotionMetrics metrics)
    {
        foreach (var modality in new[] { Modality.Text, Modality.Speech, Modality.Face })
        {
            metrics.InputReceived(modality);
            metrics.RecordModalityLatency(modality, TimeSpan.FromMilliseconds(12));
            metrics.RecordStage(modality, InferenceStage.Decode, TimeSpan.FromMilliseconds(1.5));
            metrics.RecordStage(modality, InferenceStage.Model, TimeSpan.FromMilliseconds(8));
            metrics.RecordStage(modality, InferenceStage.Classifier, TimeSpan.FromMilliseconds(0.2));
            metrics.RecordBatch(modality, 4);
            metrics.RecordEventToResult(modality, TimeSpan.FromMilliseconds(40));
            metrics.Refused(modality, RefusalReason.Malformed);
            metrics.InferenceFailed(modality, new ModelBundleException("The speech CNN does not match its head."));
            using var inFlight = metrics.TrackInFlight(modality);
        }

        metrics.RecordFusion(TimeSpan.FromMilliseconds(0.4));
        metrics.RecordReplySuggestion(TimeSpan.FromMilliseconds(7));
        metrics.ResultPublished(FusionTrigger.UtteranceEnd);
        metrics.CallStarted();
        metrics.CallEnded();
    }
}
