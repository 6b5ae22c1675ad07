using Emotion.Orleans.Client;
using Emotion.Orleans.Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>A whole run: capacity search (or one fixed step), optional soak, ceiling run, report.</summary>
public sealed class LoadBenchmark(EmotionCallClient calls, SyntheticMedia media, LoadOptions options, TextWriter log)
{
    /// <summary>Runs everything the options ask for.</summary>
    /// <param name="models">Where the models are for the ceiling run (the embedded silo's services); null skips it.</param>
    /// <param name="target">What was loaded, for the report.</param>
    /// <param name="commit">The commit, for the report.</param>
    /// <param name="cancellationToken">Stops early.</param>
    public async Task<BenchmarkReport> RunAsync(IServiceProvider? models, string target, string commit, CancellationToken cancellationToken)
    {
        var machine = MachineInfo.Current();
        var date = DateTimeOffset.UtcNow;
        var runId = $"load-{date:HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
        using var batches = models is null ? null : new BatchSizeListener();
        var step = new LoadStep(calls, media, options, batches);
        var onnx = models?.GetService<IOptions<InferenceOptions>>()?.Value.OnnxRuntime is { } o
            ? $"{o.Provider}, intra-op threads {(o.IntraOpThreads > 0 ? o.IntraOpThreads.ToString(System.Globalization.CultureInfo.InvariantCulture) : "one per core")}"
            : null;
        await log.WriteLineAsync($"ONNX Runtime: {onnx ?? "n/a"}");
        await log.WriteLineAsync($"{machine.Cores} cores, load average {machine.LoadAverage ?? "n/a"}; {(options.Calls is { } n ? $"{n} calls for one step" : "capacity search")}, steps of {options.StepDuration.TotalSeconds:0} s");
        // Activations, JIT and the models' first runs happen here, not in the first measured step.
        await step.RunAsync(2, $"{runId}-warm", TimeSpan.FromSeconds(3), cancellationToken);
        var (steps, held) = await new CapacitySearch(step, options, log).RunAsync(runId, cancellationToken);

        StepFigures? soak = null;
        if (options.Soak > TimeSpan.Zero && held > 0 && !cancellationToken.IsCancellationRequested)
        {
            await log.WriteLineAsync($"soak: {held} calls for {options.Soak.TotalSeconds:0} s");
            (soak, _) = await step.RunAsync(held, $"{runId}-soak", options.Soak, cancellationToken);
            await log.WriteLineAsync(CapacitySearch.Describe(soak, soak.Held(options.MaxP99)));
        }

        CeilingFigures? ceiling = null;
        double? ratio = null;
        var reference = steps.LastOrDefault(s => s.Calls == held) ?? (steps.Count > 0 ? steps[^1] : null);
        if (options.Ceiling && models is not null && reference?.Media is { } amount && !cancellationToken.IsCancellationRequested)
        {
            if (CeilingRun.TryCreate(models, media, options.AudioChunk) is { } run)
            {
                await log.WriteLineAsync($"ceiling: the models directly on the media of the {reference.Calls}-call step ({amount.AudioSeconds:0} s audio, {amount.Frames} frames, {amount.Segments} segments)");
                var callSeconds = amount.CallSeconds * reference.DeliveredCalls / reference.Calls;
                ceiling = await run.RunAsync(amount, reference.Calls, reference.Results, reference.BatchSizes, callSeconds);
                ratio = ceiling.CallsEquivalent > 0 ? reference.DeliveredCalls / ceiling.CallsEquivalent : null;
            }
            else
            {
                await log.WriteLineAsync("ceiling skipped: the models are not registered in this process");
            }
        }

        return new BenchmarkReport(date, commit, machine, options.Mode == LoadMode.Soak ? "long" : "short", target, onnx, CallProfile.Of(options), options.MaxP99.TotalMilliseconds, steps, held, soak, ceiling, ratio);
    }
}
