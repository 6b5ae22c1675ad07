using Emotion.Orleans.Client;
using Emotion.Orleans.Grains;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>Runs N synthetic calls at once for one step and measures them.</summary>
/// <param name="calls">The client.</param>
/// <param name="media">The media.</param>
/// <param name="options">Profile and limits.</param>
/// <param name="batches">The embedded silo's batch sizes, or null when the silo runs elsewhere.</param>
public sealed class LoadStep(EmotionCallClient calls, SyntheticMedia media, LoadOptions options, BatchSizeListener? batches = null)
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(15);

    // A call slot's remainder shorter than this is not started as a new call.
    private static readonly TimeSpan ShortestCall = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="callCount"/> calls for the step duration.</summary>
    /// <param name="callCount">Concurrent calls.</param>
    /// <param name="runId">Makes the call ids unique.</param>
    /// <param name="duration">Step length (the options' step duration when null).</param>
    /// <param name="cancellationToken">Stops the step early.</param>
    /// <returns>The figures and the ids of the calls.</returns>
    public Task<(StepFigures Figures, IReadOnlyList<string> CallIds)> RunAsync(int callCount, string runId, TimeSpan? duration = null, CancellationToken cancellationToken = default) =>
        RunAsync(callCount, runId, duration, window: null, onWindow: null, cancellationToken);

    /// <summary>Runs <paramref name="callCount"/> calls for the step duration, also measured window by window (a soak's minutes).</summary>
    /// <param name="callCount">Concurrent calls.</param>
    /// <param name="runId">Makes the call ids unique.</param>
    /// <param name="duration">Step length (the options' step duration when null).</param>
    /// <param name="window">The windows' length; null for none.</param>
    /// <param name="onWindow">Told each window as it ends.</param>
    /// <param name="cancellationToken">Stops the step early.</param>
    /// <returns>The figures (with <see cref="StepFigures.Windows"/>) and the ids of the calls.</returns>
    public async Task<(StepFigures Figures, IReadOnlyList<string> CallIds)> RunAsync(int callCount, string runId, TimeSpan? duration, TimeSpan? window, Action<StepWindow>? onWindow, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(callCount, 1);
        var length = duration ?? options.StepDuration;
        var recorder = new LoadRecorder();

        var plan = Plan(callCount, length, options.WarmUp, options.CallLength);
        var synthetic = plan.Select(p => new SyntheticCall(calls, media, options, recorder, p.Id(runId), HashCode.Combine(runId, p.Slot, p.Number), p.Start, p.Length)).ToList();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(length + options.MaxLag + Grace);
        batches?.Take();
        batches?.TakeShedFrames();
        var cpu = CpuSampler.Start();
        using var stepDone = new CancellationTokenSource();
        List<StepWindow> windows = [];
        var tracking = window is { } every ? TrackWindowsAsync(recorder, every, windows, onWindow, stepDone.Token) : Task.CompletedTask;
        var running = synthetic.Select((call, i) => StartAsync(call, plan[i].Start, stop.Token)).ToList();
        await Task.WhenAll(running);
        await stepDone.CancelAsync();
        await tracking;
        var (processCores, machine) = cpu.Stop();
        var sent = synthetic.Select(c => c.Sent).ToList();
        var amount = new MediaAmount(sent.Sum(s => s.AudioSeconds), sent.Sum(s => s.Frames), sent.Sum(s => s.Segments), sent.Sum(s => s.CallSeconds));
        var audioShare = amount.CallSeconds > 0 ? amount.AudioSeconds / amount.CallSeconds : 0;
        var shed = batches?.TakeShedFrames();

        // Frames shed by admission control were answered but not recognised: not delivered.
        var frameShare = options.FramesPerSecond > 0 && amount.CallSeconds > 0 ? (amount.Frames - (shed ?? 0)) / (amount.CallSeconds * options.FramesPerSecond) : 1;
        var figures = recorder.Figures(callCount, (length - options.WarmUp).TotalSeconds > 0 ? length - options.WarmUp : length) with
        {
            ProcessCpuCores = processCores,
            MachineCpu = machine,
            Media = amount,
            DeliveredCalls = callCount * Math.Min(1, Math.Min(audioShare, frameShare)),
            ShedFrames = shed,
            Windows = window is null ? null : windows,
        };
        if (batches?.Take() is { Count: > 0 } runs)
        {
            figures = figures with { BatchSizes = runs.ToDictionary(p => p.Key, p => p.Value.InOrder), Batches = runs.ToDictionary(p => p.Key, p => p.Value.Summary) };
        }

        return (figures, [.. synthetic.Select(c => c.CallId)]);
    }

    /// <summary>
    /// The calls of a step: <paramref name="callCount"/> slots whose first calls start spread over the
    /// warm-up (so their inputs do not arrive in lockstep). With a call length, a slot's call ends after
    /// it and the next call of the slot starts then, so the number of concurrent calls stays the same;
    /// the slots' first calls have staggered lengths so that calls end one at a time, not all at once.
    /// </summary>
    /// <param name="callCount">Concurrent calls.</param>
    /// <param name="length">Step length.</param>
    /// <param name="warmUp">The unmeasured start of the step.</param>
    /// <param name="callLength">How long a call lasts; null for the whole step.</param>
    /// <returns>Every call of the step, with its slot, its number in the slot, when it starts and how long it lasts.</returns>
    public static IReadOnlyList<PlannedCall> Plan(int callCount, TimeSpan length, TimeSpan warmUp, TimeSpan? callLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(callCount, 1);
        List<PlannedCall> plan = [];
        for (var slot = 0; slot < callCount; slot++)
        {
            var start = warmUp * 0.8 * slot / callCount;
            if (callLength is not { } each || each >= length - start)
            {
                plan.Add(new PlannedCall(slot, 0, start, length - start));
                continue;
            }

            var first = each * (slot + 1) / callCount;
            var call = first < ShortestCall ? each : first;
            for (var number = 0; length - start >= ShortestCall; number++)
            {
                // A remainder too short for a call of its own goes to this one.
                var callFor = length - start - call < ShortestCall ? length - start : call;
                plan.Add(new PlannedCall(slot, number, start, callFor));
                start += callFor;
                call = each;
            }
        }

        return plan;
    }

    // Reads the recorder's totals every window; the last, partial window ends with the step.
    private async Task TrackWindowsAsync(LoadRecorder recorder, TimeSpan every, List<StepWindow> windows, Action<StepWindow>? onWindow, CancellationToken stepDone)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var before = recorder.TakeWindow();
        var shedBefore = batches?.PeekShedFrames();
        var from = TimeSpan.Zero;
        var cpu = CpuSampler.Start();
        using var timer = new PeriodicTimer(every);
        var last = false;
        while (!last)
        {
            try
            {
                await timer.WaitForNextTickAsync(stepDone);
            }
            catch (OperationCanceledException)
            {
                last = true;
            }

            var now = clock.Elapsed;
            var after = recorder.TakeWindow();
            var shedAfter = batches?.PeekShedFrames();
            var (cores, _) = cpu.Stop();
            cpu = CpuSampler.Start();
            if (!last || now - from >= TimeSpan.FromSeconds(1))
            {
                var measured = StepWindow.Between(from.TotalSeconds, (now - from).TotalSeconds, before, after, shedAfter - shedBefore, cores);
                windows.Add(measured);
                onWindow?.Invoke(measured);
            }

            (before, shedBefore, from) = (after, shedAfter, now);
        }
    }

    private static async Task StartAsync(SyntheticCall call, TimeSpan offset, CancellationToken stop)
    {
        try
        {
            await Task.Delay(offset, stop);
            await call.RunAsync(stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The step's hard limit passed; what the call recorded so far counts.
        }
        catch (CallException)
        {
            // Starting or ending the call was refused; its inputs were counted as refused.
        }
    }
}

/// <summary>One call of a step's plan.</summary>
/// <param name="Slot">Its slot (one of the step's concurrent calls).</param>
/// <param name="Number">Its number within the slot (0 for the first).</param>
/// <param name="Start">When it starts, from the step's start.</param>
/// <param name="Length">How long it lasts.</param>
public sealed record PlannedCall(int Slot, int Number, TimeSpan Start, TimeSpan Length)
{
    /// <summary>The call id within a run.</summary>
    public string Id(string runId) => Number == 0 ? $"{runId}-c{Slot:D3}" : $"{runId}-c{Slot:D3}-{Number}";
}
