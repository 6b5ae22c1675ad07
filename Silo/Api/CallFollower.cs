using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Emotion.Orleans.Grains;

namespace Emotion.Orleans.Silo;

/// <summary>Told to an SSE follower when results were dropped because it read too slowly.</summary>
/// <param name="Count">Results dropped since the previous event.</param>
public sealed record DroppedResults(long Count);

/// <summary>
/// What an SSE follower of one call receives: results in a bounded buffer (full: the oldest waiting
/// result is dropped and counted, so a slow reader costs a fixed amount of memory and learns how
/// many it missed) and the call's end. It finishes once the call ended and the result numbered
/// the final result count went out, or a grace period after the end, whichever comes first:
/// the end signal and the results travel on different streams, so either may arrive first.
/// </summary>
/// <param name="capacity">Results held for a reader that falls behind.</param>
public sealed class CallFollower(int capacity)
{
    private readonly TaskCompletionSource<CallStatus> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _dropped;
    private Channel<FusedResult>? _results;

    private Channel<FusedResult> Results => _results ??= Channel.CreateBounded<FusedResult>(
        new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
        _ => Interlocked.Increment(ref _dropped));

    /// <summary>Stream callback: a result.</summary>
    public Task OnResult(FusedResult result)
    {
        Results.Writer.TryWrite(result);
        return Task.CompletedTask;
    }

    /// <summary>Stream callback (or the status read at subscription): ends the follower when the call has ended.</summary>
    public Task OnStatus(CallStatus status)
    {
        if (status.State == CallState.Ended)
        {
            _ended.TrySetResult(status);
        }

        return Task.CompletedTask;
    }

    /// <summary>Results (and <see cref="DroppedResults"/>), then the final <see cref="CallStatus"/>.</summary>
    /// <param name="resultsBefore">Results the call had when the follower subscribed (they are in the timeline, not sent again).</param>
    /// <param name="endGrace">How long to wait, after the end, for results still on their way.</param>
    /// <param name="time">Clock of the grace period.</param>
    /// <param name="cancellationToken">Stops reading (the client went away).</param>
    public async IAsyncEnumerable<object> ReadAsync(long resultsBefore, TimeSpan endGrace, TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = Results.Reader;
        var lastSequence = resultsBefore;
        Task? graceOver = null;
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        while (true)
        {
            while (reader.TryRead(out var result))
            {
                if (Interlocked.Exchange(ref _dropped, 0) is var dropped and > 0)
                {
                    yield return new DroppedResults(dropped);
                }

                lastSequence = Math.Max(lastSequence, result.Sequence);
                yield return result;
            }

            if (_ended.Task.IsCompleted)
            {
                var final = await _ended.Task;
                graceOver ??= Task.Delay(endGrace, time, grace.Token);
                if (lastSequence >= final.ResultCount || graceOver.IsCompleted)
                {
                    await grace.CancelAsync();
                    yield return final;
                    yield break;
                }

                await Task.WhenAny(reader.WaitToReadAsync(cancellationToken).AsTask(), graceOver);
            }
            else
            {
                await Task.WhenAny(reader.WaitToReadAsync(cancellationToken).AsTask(), _ended.Task);
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
