using Emotion.Orleans.Client;
using Emotion.Orleans.Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>A whole run: capacity search (or one fixed step), optional soak with memory sampled, true ceiling, same-batch replay, report.</summary>
public sealed class LoadBenchmark(EmotionCallClient calls, SyntheticMedia media, LoadOptions options, TextWriter log)
{
    /// <summary>The soak is also measured minute by minute: where in it a count stops holding, and whether it recovers.</summary>
    public static readonly TimeSpan SoakWindow = TimeSpan.FromMinutes(1);

    /// <summary>Runs everything the options ask for.</summary>
    /// <param name="models">Where the models are for the ceiling runs (the embedded silo's services); null skips them.</param>
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
        // Activations, JIT (up to its optimised tier), the thread pool's growth and the models' first
        // runs of each batch size happen here, not in the first measured step. A fixed count (--calls)
        // warms at that count, as a soak after a search runs warm from the steps before it: started
        // cold, 54 calls failed a 30 s step (15 % of frames shed) a minute after holding a 60 s one.
        var (warmCalls, warmFor) = options.Calls is { } fixedCount ? (fixedCount, TimeSpan.FromSeconds(20)) : (8, TimeSpan.FromSeconds(10));
        await step.RunAsync(warmCalls, $"{runId}-warm", warmFor, cancellationToken);
        var (steps, held) = await new CapacitySearch(step, options, log).RunAsync(runId, cancellationToken);

        // The ceiling runs before the soaks, so a soak that fails can be followed by one at the share of
        // the ceiling a silo is meant to sustain.
        var heldStep = steps.LastOrDefault(s => s.Calls == held && held > 0);
        var reference = heldStep ?? (steps.Count > 0 ? steps[^1] : null);
        TrueCeilingFigures? ceiling = null;
        double? ratio = null;
        SameBatchFigures? replay = null;
        double? replayRatio = null;
        if (options.Ceiling && models is not null && !cancellationToken.IsCancellationRequested)
        {
            if (CapacityCeiling.TryCreate(models, media, options) is { } trueCeiling)
            {
                await log.WriteLineAsync($"true ceiling: each model alone on all {machine.Cores} cores at batch sizes {string.Join("/", CapacityCeiling.BatchSizes)}, {options.CeilingPoint.TotalSeconds:0.#} s each, on the profile's media");

                // The fusions one call needs per second of call, as the pipeline ran them at the count that held.
                double? fusions = heldStep is { Media.CallSeconds: > 0 } h ? h.Results / h.Media.CallSeconds : null;
                ceiling = await trueCeiling.RunAsync(fusions, log, cancellationToken);
                ratio = ceiling.Calls > 0 ? held / ceiling.Calls : null;
                await log.WriteLineAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"true ceiling: {ceiling.Calls:0.0} calls on these cores ({ceiling.CoreSecondsPerCallSecond:0.000} cores per call); calls held / ceiling = {ratio:0.00}"));
            }
            else
            {
                await log.WriteLineAsync("ceiling skipped: the models are not registered in this process");
            }
        }

        StepFigures? soak = null;
        MemoryFigures? memory = null;
        List<StepFigures> soaks = [];
        var sustained = 0;
        for (var (count, attempt) = (held, 1); options.Soak > TimeSpan.Zero && count > 0 && attempt <= options.SoakAttempts && !cancellationToken.IsCancellationRequested; count = NextSoakCount(count, ceiling?.Calls), attempt++)
        {
            await log.WriteLineAsync($"soak{(options.SoakAttempts > 1 ? $" {attempt} of at most {options.SoakAttempts}" : "")}: {count} calls for {options.Soak.TotalSeconds:0} s, process memory sampled every {options.MemoryInterval.TotalSeconds:0} s");
            await using (var sampler = MemorySampler.Start(options.MemoryInterval))
            {
                (soak, _) = await step.RunAsync(count, $"{runId}-soak{attempt}", options.Soak, SoakWindow, w => log.WriteLine(BenchmarkReport.DescribeWindow(w)), cancellationToken);
                memory = await sampler.StopAsync();
            }

            soaks.Add(soak);
            var soakHeld = soak.Held(options.MaxP99, options.MaxFaceShed);
            await log.WriteLineAsync(CapacitySearch.Describe(soak, soakHeld));
            await log.WriteLineAsync(BenchmarkReport.DescribeMemory(memory));
            if (soakHeld)
            {
                sustained = count;
                break;
            }
        }

        if (options.Ceiling && models is not null && reference?.Media is { } amount && SameBatchReplay.TryCreate(models, media, options.AudioChunk) is { } run && !cancellationToken.IsCancellationRequested)
        {
            await log.WriteLineAsync($"same-batch replay: the models directly on the media of the {reference.Calls}-call step ({amount.AudioSeconds:0} s audio, {amount.Frames} frames, {amount.Segments} segments) in the workers' batch sizes");
            var callSeconds = amount.CallSeconds * reference.DeliveredCalls / reference.Calls;
            replay = await run.RunAsync(amount, reference.Calls, reference.Results, reference.BatchSizes, callSeconds);
            replayRatio = replay.CallsEquivalent > 0 ? reference.DeliveredCalls / replay.CallsEquivalent : null;
        }

        return new BenchmarkReport(date, commit, machine, options.Mode == LoadMode.Soak ? "long" : "short", target, onnx, CallProfile.Of(options), options.MaxP99.TotalMilliseconds, steps, held, soak, ceiling, ratio, replay, replayRatio)
        {
            Memory = memory,
            Soaks = soaks.Count > 0 ? soaks : null,
            SustainedCalls = soaks.Count > 0 ? sustained : null,
        };
    }

    /// <summary>The share of the true ceiling a silo is meant to sustain: the count a second soak tries when the first fails above it.</summary>
    public const double SustainedCeilingShare = 0.8;

    /// <summary>
    /// The count of the next soak after one at <paramref name="calls"/> failed: the sustained share of the
    /// true ceiling (rounded up) when that lies between an eighth fewer and <paramref name="calls"/>,
    /// else an eighth fewer (<see cref="SoakStepDown"/>).
    /// </summary>
    /// <param name="calls">The count of the soak that failed.</param>
    /// <param name="ceilingCalls">The true ceiling in calls, or null when it was not measured.</param>
    public static int NextSoakCount(int calls, double? ceilingCalls)
    {
        var down = SoakStepDown(calls);
        if (ceilingCalls is { } ceiling && ceiling > 0)
        {
            var target = (int)Math.Ceiling((SustainedCeilingShare * ceiling) - 1e-9);
            if (target > down && target < calls)
            {
                return target;
            }
        }

        return down;
    }

    /// <summary>
    /// The count of the next soak after one that failed: an eighth fewer (a soak that fails where a
    /// 60 s step held is over by more than the search's sixteenth steps, and each try costs 10 minutes).
    /// </summary>
    public static int SoakStepDown(int calls) => calls - Math.Max(1, calls / 8);
}
