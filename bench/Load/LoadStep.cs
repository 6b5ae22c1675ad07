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

    /// <summary>Runs <paramref name="callCount"/> calls for the step duration.</summary>
    /// <param name="callCount">Concurrent calls.</param>
    /// <param name="runId">Makes the call ids unique.</param>
    /// <param name="duration">Step length (the options' step duration when null).</param>
    /// <param name="cancellationToken">Stops the step early.</param>
    /// <returns>The figures and the ids of the calls.</returns>
    public async Task<(StepFigures Figures, IReadOnlyList<string> CallIds)> RunAsync(int callCount, string runId, TimeSpan? duration = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(callCount, 1);
        var length = duration ?? options.StepDuration;
        var recorder = new LoadRecorder();

        // Calls start spread over the warm-up so their inputs do not arrive in lockstep.
        var synthetic = Enumerable.Range(0, callCount).Select(i =>
        {
            var offset = options.WarmUp * 0.8 * i / callCount;
            return new SyntheticCall(calls, media, options, recorder, $"{runId}-c{i:D3}", HashCode.Combine(runId, i), offset, length - offset);
        }).ToList();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(length + options.MaxLag + Grace);
        batches?.Take();
        var cpu = CpuSampler.Start();
        var running = synthetic.Select((call, i) => StartAsync(call, options.WarmUp * 0.8 * i / callCount, stop.Token)).ToList();
        await Task.WhenAll(running);
        var (processCores, machine) = cpu.Stop();
        var sent = synthetic.Select(c => c.Sent).ToList();
        var amount = new MediaAmount(sent.Sum(s => s.AudioSeconds), sent.Sum(s => s.Frames), sent.Sum(s => s.Segments), sent.Sum(s => s.CallSeconds));
        var audioShare = amount.CallSeconds > 0 ? amount.AudioSeconds / amount.CallSeconds : 0;
        var frameShare = options.FramesPerSecond > 0 && amount.CallSeconds > 0 ? amount.Frames / (amount.CallSeconds * options.FramesPerSecond) : 1;
        var figures = recorder.Figures(callCount, (length - options.WarmUp).TotalSeconds > 0 ? length - options.WarmUp : length) with
        {
            ProcessCpuCores = processCores,
            MachineCpu = machine,
            Media = amount,
            DeliveredCalls = callCount * Math.Min(1, Math.Min(audioShare, frameShare)),
        };
        if (batches?.Take() is { Count: > 0 } sizes)
        {
            figures = figures with { BatchSizes = sizes, Batches = sizes.ToDictionary(p => p.Key, p => BatchSummary.Of(p.Value)) };
        }

        return (figures, [.. synthetic.Select(c => c.CallId)]);
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
