using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Emotion.Orleans.Grains;
using Orleans.Streams;

namespace Emotion.Orleans.Client;

/// <summary>Starts calls, sends their inputs and follows their fused results, over an Orleans client.</summary>
/// <remarks>The client must have the <see cref="CallStreams.Provider"/> memory stream provider, as the silos do (<see cref="ClientHostingExtensions.AddEmotionCallStreams"/>).</remarks>
public sealed class EmotionCallClient(IClusterClient client)
{
    private readonly IClusterClient _client = client ?? throw new ArgumentNullException(nameof(client));

    /// <summary>How long <see cref="ReadResultsAsync"/> waits, after the call's end, for results still on their way.</summary>
    public static TimeSpan EndGrace { get; } = TimeSpan.FromSeconds(2);

    /// <summary>Starts a call (idempotent while it is active).</summary>
    public Task<CallStatus> StartCallAsync(string callId) => Call(callId).StartCall();

    /// <summary>Ends a call; the speech still buffered is recognised first.</summary>
    public Task<CallStatus> EndCallAsync(string callId) => Call(callId).EndCall();

    /// <summary>Sends a transcript segment; returns the result it produced.</summary>
    public Task<FusedResult?> SendTextAsync(TranscriptSegment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        return Call(segment.CallId).SendText(segment);
    }

    /// <summary>Sends an audio chunk; returns the results of the utterances it completed. Do not change its samples afterwards.</summary>
    public Task<IReadOnlyList<FusedResult>> SendAudioAsync(AudioChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        return Call(chunk.CallId).SendAudio(chunk);
    }

    /// <summary>Sends a video frame; returns the result when the cadence allowed one. Do not change its image bytes afterwards.</summary>
    public Task<FusedResult?> SendFrameAsync(VideoFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return Call(frame.CallId).SendFrame(frame);
    }

    /// <summary>The call's fused results so far (every page of its timeline).</summary>
    public Task<CallTimeline> GetTimelineAsync(string callId) => Call(callId).ReadAllAsync();

    /// <summary>The call's state and counters.</summary>
    public Task<CallStatus> GetStatusAsync(string callId) => Call(callId).GetStatus();

    /// <summary>Calls <paramref name="onResult"/> for each result of the call from now on; dispose to stop.</summary>
    public async Task<IAsyncDisposable> SubscribeAsync(string callId, Func<FusedResult, Task> onResult)
    {
        ArgumentNullException.ThrowIfNull(onResult);
        var handle = await Results(callId).SubscribeAsync((result, _) => onResult(result));
        return new Subscription<FusedResult>(handle);
    }

    /// <summary>
    /// The call's results from now on; completes when the call ends (after its last result, or
    /// <see cref="EndGrace"/> after the end signal: results and the end signal travel on different
    /// streams) or when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async IAsyncEnumerable<FusedResult> ReadResultsAsync(string callId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<FusedResult>(new UnboundedChannelOptions { SingleReader = true });
        var ended = new TaskCompletionSource<CallStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscription = await SubscribeAsync(callId, result =>
        {
            channel.Writer.TryWrite(result);
            return Task.CompletedTask;
        });
        await using (subscription)
        {
            var endHandle = await _client.GetStreamProvider(CallStreams.Provider).GetStream<CallStatus>(StreamId.Create(CallStreams.Status, callId))
                .SubscribeAsync((status, _) => Task.FromResult(ended.TrySetResult(status)));
            await using var endSubscription = new Subscription<CallStatus>(endHandle);
            var status = await GetStatusAsync(callId);
            if (status.State == CallState.Ended)
            {
                ended.TrySetResult(status);
            }

            var last = (long)status.ResultCount;
            Task? graceOver = null;
            while (true)
            {
                while (channel.Reader.TryRead(out var result))
                {
                    last = Math.Max(last, result.Sequence);
                    yield return result;
                }

                if (ended.Task.IsCompleted)
                {
                    graceOver ??= Task.Delay(EndGrace, cancellationToken);
                    if (last >= (await ended.Task).ResultCount || graceOver.IsCompleted)
                    {
                        yield break;
                    }
                }

                await Task.WhenAny(channel.Reader.WaitToReadAsync(cancellationToken).AsTask(), graceOver ?? ended.Task);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    private ICallSessionGrain Call(string callId) => _client.GetGrain<ICallSessionGrain>(callId);

    private IAsyncStream<FusedResult> Results(string callId) =>
        _client.GetStreamProvider(CallStreams.Provider).GetStream<FusedResult>(StreamId.Create(CallStreams.Results, callId));

    private sealed class Subscription<T>(StreamSubscriptionHandle<T> handle) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await handle.UnsubscribeAsync();
    }
}
