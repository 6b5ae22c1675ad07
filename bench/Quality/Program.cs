using System.Diagnostics;
using System.Globalization;
using Emotion.Orleans.Inference;
using Emotion.Orleans.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Emotion.Orleans.QualityCheck;

/// <summary>Entry point of <c>emotion-quality</c>.</summary>
public static class Program
{
    /// <summary>Runs the check; exit code 0, 1 (data or host error), 2 (usage), 3 (a bar not met), 130 (cancelled).</summary>
    public static async Task<int> Main(string[] args)
    {
        QualityOptions options;
        try
        {
            options = QualityOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            await Console.Error.WriteLineAsync(QualityOptions.Usage);
            return 2;
        }

        var datasets = options.Datasets ?? DatasetFolders.Find() ?? DatasetFolders.Find(Environment.CurrentDirectory);
        if (datasets is null || !Directory.Exists(datasets))
        {
            await Console.Error.WriteLineAsync($"datasets folder not found ({options.Datasets ?? "pass --datasets or set " + DatasetFolders.EnvironmentVariable}).");
            return 1;
        }

        CallPlan plan;
        try
        {
            plan = CallPlanner.Build(datasets, options.Plan);
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidDataException)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }

        foreach (var line in plan.Sources.Concat(plan.Unpaired.Select(u => $"not paired: {u}")).Concat(plan.Reused.Select(r => $"reused: {r}")))
        {
            Console.WriteLine(line);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{plan.Calls.Count} calls, {plan.Segments.Count()} segments over {plan.Labels.Count} emotions ({string.Join(", ", plan.Labels.Select(EmotionLabels.Name))})"));

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        using var host = QualityHost.Build(options.Configuration);
        try
        {
            await host.StartAsync(cancel.Token);
        }
        catch (Exception e) when (e is ModelBundleException or OptionsValidationException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }

        try
        {
            var inference = host.Services.GetRequiredService<IOptions<InferenceOptions>>().Value;
            var date = DateTimeOffset.UtcNow;
            var replayer = new QualityReplayer(host.Services.GetRequiredService<IClusterClient>(), options.Script);
            var done = 0;
            var clock = Stopwatch.StartNew();
            var outcomes = await replayer.ReplayAsync(plan, date.ToString("HHmmss", CultureInfo.InvariantCulture), options.Concurrency, (call, results) =>
            {
                var n = Interlocked.Increment(ref done);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{n}/{plan.Calls.Count}] {call.Name}: {results.Count(r => r.Correct)}/{results.Count} right ({string.Join(" ", results.Select(r => $"{EmotionLabels.Name(r.Segment.Label)}→{r.Predicted ?? "none"}"))})"));
            }, cancel.Token);
            var report = QualityReport.Create(
                date,
                QualityHost.CommitOf(Environment.CurrentDirectory),
                "emotion-quality " + string.Join(" ", args),
                QualityHost.DescribeBundle(inference.BundlePath),
                inference.FacePath.ToString(),
                options.Describe(),
                plan,
                outcomes,
                clock.Elapsed,
                options.MinAccuracy,
                options.MinPerEmotion);
            var (json, markdown) = report.Write(options.OutputFolder ?? QualityHost.DefaultFolder(Environment.CurrentDirectory));
            Console.WriteLine();
            Console.Write(report.Summary());
            Console.WriteLine($"report: {markdown}");
            Console.WriteLine($"        {json}");
            return report.BarsMet ? 0 : 3;
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
