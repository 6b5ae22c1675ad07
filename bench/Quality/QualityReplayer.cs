using Emotion.Orleans.Grains;

namespace Emotion.Orleans.QualityCheck;

/// <summary>
/// Replays scripted calls through the call session grains of a running cluster (direct grain calls,
/// as the HTTP API makes them), as fast as the pipeline answers, and keeps each segment's results.
/// </summary>
/// <param name="grains">The cluster's grain factory (an embedded silo's client or a test cluster's).</param>
/// <param name="settings">How calls become inputs.</param>
public sealed class QualityReplayer(IGrainFactory grains, ScriptSettings settings)
{
    /// <summary>Replays every call of the plan, <paramref name="concurrency"/> calls at a time.</summary>
    /// <param name="plan">The calls.</param>
    /// <param name="runId">Makes the call ids unique to this run.</param>
    /// <param name="concurrency">Calls in flight at once.</param>
    /// <param name="progress">Told after each call (call name, outcomes).</param>
    /// <param name="cancellationToken">Stops between inputs.</param>
    /// <returns>The outcomes in plan order.</returns>
    public async Task<IReadOnlyList<SegmentOutcome>> ReplayAsync(CallPlan plan, string runId, int concurrency, Action<PairedCall, IReadOnlyList<SegmentOutcome>>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        var outcomes = new IReadOnlyList<SegmentOutcome>[plan.Calls.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, plan.Calls.Count), options, async (i, token) =>
        {
            outcomes[i] = await ReplayAsync(plan.Calls[i], $"quality-{runId}-{plan.Calls[i].Name}", token);
            progress?.Invoke(plan.Calls[i], outcomes[i]);
        });
        return [.. outcomes.SelectMany(o => o)];
    }

    /// <summary>Replays one call: start, every input in order (each waits for the call's answer), end.</summary>
    public async Task<IReadOnlyList<SegmentOutcome>> ReplayAsync(PairedCall call, string callId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var script = CallScript.Render(callId, call, settings);
        var session = grains.GetGrain<ICallSessionGrain>(callId);
        var results = call.Segments.Select(_ => new List<FusedResult>()).ToArray();
        var errors = call.Segments.Select(_ => new List<string>()).ToArray();
        await session.StartCall();
        foreach (var input in script.Inputs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (input.Audio is { } chunk)
                {
                    results[input.Segment].AddRange(await session.SendAudio(chunk));
                }
                else if (input.Frame is { } frame)
                {
                    results[input.Segment].AddRange(await session.SendFrame(frame) is { } r ? [r] : []);
                }
                else if (input.Text is { } text)
                {
                    results[input.Segment].AddRange(await session.SendText(text) is { } r ? [r] : []);
                }
            }
            catch (CallException e)
            {
                // A refused input is part of what the check measures; the call goes on, as a live one would.
                errors[input.Segment].Add(e.Message);
            }
        }

        await session.EndCall();
        return [.. call.Segments.Select(s => new SegmentOutcome(
            callId,
            call.Name,
            s,
            script.Spans[s.Index],
            results[s.Index].Count > 0 ? results[s.Index][^1] : null,
            results[s.Index].Count,
            results[s.Index].Count(r => r.Trigger == FusionTrigger.UtteranceEnd),
            errors[s.Index].Count,
            errors[s.Index]))];
    }
}
