using System.Diagnostics;
using System.Globalization;
using Emotion.Orleans.Client;
using Emotion.Orleans.Grains;

namespace Emotion.Orleans.Replay;

/// <summary>Replays a recorded call into the cluster and prints its live timeline.</summary>
public sealed class ReplayCommand(EmotionCallClient calls, TextWriter output)
{
    private static readonly TimeSpan StreamCatchUp = TimeSpan.FromSeconds(5);

    /// <summary>Replays; <paramref name="speed"/> 1 is real time, 10 ten times faster, 0 as fast as possible.</summary>
    /// <returns>The final timeline.</returns>
    public async Task<CallTimeline> RunAsync(RecordedCall call, string callId, double speed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentOutOfRangeException.ThrowIfNegative(speed);
        using var writing = new SemaphoreSlim(1, 1);
        using var printed = new SemaphoreSlim(0);
        var printedCount = 0;
        await using var subscription = await calls.SubscribeAsync(callId, async result =>
        {
            await writing.WaitAsync(cancellationToken);
            try
            {
                await output.WriteLineAsync(Format(result));
                Interlocked.Increment(ref printedCount);
                printed.Release();
            }
            finally
            {
                writing.Release();
            }
        });

        await calls.StartCallAsync(callId);
        await output.WriteLineAsync($"call {callId}: {call.Events.Count} inputs, speed {(speed == 0 ? "max" : speed.ToString("0.##", CultureInfo.InvariantCulture) + "x")}");
        var clock = Stopwatch.StartNew();
        foreach (var e in call.Events)
        {
            if (speed > 0)
            {
                var due = TimeSpan.FromTicks((long)(e.At.Ticks / speed)) - clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, cancellationToken);
                }
            }

            try
            {
                await SendAsync(e);
            }
            catch (CallException error)
            {
                await output.WriteLineAsync($"[{Clock(e.At)}] refused: {error.Message}");
            }
        }

        await calls.EndCallAsync(callId);
        var timeline = await calls.GetTimelineAsync(callId);

        // Let the live timeline catch up with the stored one before the summary (bounded wait).
        using var catchUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        catchUp.CancelAfter(StreamCatchUp);
        try
        {
            while (Volatile.Read(ref printedCount) < timeline.Results.Length)
            {
                await printed.WaitAsync(catchUp.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await output.WriteLineAsync($"({timeline.Results.Length - Volatile.Read(ref printedCount)} results not seen on the stream; the stored timeline has them)");
        }

        await output.WriteLineAsync($"call {callId} ended: {timeline.Results.Length} results");
        return timeline;
    }

    /// <summary>One line of the live timeline.</summary>
    public static string Format(FusedResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var weights = string.Join(" ", Enum.GetValues<InputModality>().Select(m =>
            $"{m.ToString().ToLowerInvariant()} {(result.Alpha[(int)m] > 0 ? result.Alpha[(int)m].ToString("0.00", CultureInfo.InvariantCulture) : "-")}"));
        var confidence = result.Distribution[result.Emotion].ToString("0.00", CultureInfo.InvariantCulture);
        var trigger = result.Trigger == FusionTrigger.UtteranceEnd ? "utterance" : "cadence";
        var present = string.Join("+", result.PresentModalities.Select(m => m.ToString().ToLowerInvariant()));
        var line = $"[{Clock(result.WindowStart)}–{Clock(result.WindowEnd)}] #{result.Sequence,-3} {result.Emotion,-8} {confidence}  α: {weights}  present: {present}  ({trigger})";
        return result.Reply is { } reply ? $"{line}\n      suggest: \"{reply.Text}\"" : line;
    }

    private static string Clock(TimeSpan t) => t.ToString(@"mm\:ss\.f", CultureInfo.InvariantCulture);

    private async Task SendAsync(ReplayEvent e)
    {
        if (e.Segment is { } segment)
        {
            await calls.SendTextAsync(segment);
        }
        else if (e.Audio is { } audio)
        {
            await calls.SendAudioAsync(audio);
        }
        else if (e.Frame is { } frame)
        {
            await calls.SendFrameAsync(frame);
        }
    }
}
