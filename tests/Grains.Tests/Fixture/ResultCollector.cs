using System.Collections.Concurrent;
using Orleans.Streams;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>Follows a call's result stream from the test client.</summary>
public sealed class ResultCollector : IAsyncDisposable
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<FusedResult> _results = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private StreamSubscriptionHandle<FusedResult>? _handle;

    public IReadOnlyList<FusedResult> Results => [.. _results];

    public static async Task<ResultCollector> SubscribeAsync(IClusterClient client, string callId)
    {
        var collector = new ResultCollector();
        var stream = client.GetStreamProvider(CallStreams.Provider).GetStream<FusedResult>(StreamId.Create(CallStreams.Results, callId));
        collector._handle = await stream.SubscribeAsync((result, _) =>
        {
            collector._results.Enqueue(result);
            collector._arrived.Release();
            return Task.CompletedTask;
        });
        return collector;
    }

    /// <summary>Waits (bounded) until at least <paramref name="count"/> results arrived.</summary>
    public Task<IReadOnlyList<FusedResult>> WaitForAsync(int count) => WaitUntilAsync(r => r.Count >= count);

    /// <summary>Waits (bounded) until the results received so far satisfy <paramref name="done"/>.</summary>
    public async Task<IReadOnlyList<FusedResult>> WaitUntilAsync(Func<IReadOnlyList<FusedResult>, bool> done)
    {
        using var timeout = new CancellationTokenSource(MaxWait);
        while (!done(Results))
        {
            await _arrived.WaitAsync(timeout.Token);
        }

        return Results;
    }

    public async ValueTask DisposeAsync()
    {
        if (_handle is not null)
        {
            await _handle.UnsubscribeAsync();
        }

        _arrived.Dispose();
    }
}

