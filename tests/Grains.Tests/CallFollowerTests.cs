using System.Collections.Immutable;
using Emotion.Orleans.Silo;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>What an SSE follower holds and when it finishes (no cluster needed).</summary>
public sealed class CallFollowerTests
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(20);

    private static FusedResult Result(long sequence) =>
        new("call", sequence, TimeSpan.Zero, TimeSpan.FromSeconds(1), new EmotionDistribution([1, 0, 0, 0, 0, 0, 0]), [1f, 0f, 0f], ImmutableArray<ModalityContribution>.Empty, FusionTrigger.UtteranceEnd, null);

    private static CallStatus Ended(int resultCount) => new("call", CallState.Ended, null, null, resultCount, 0, "silo");

    private static async Task<List<object>> ReadAllAsync(CallFollower follower, long resultsBefore, TimeSpan grace, TimeProvider time)
    {
        using var timeout = new CancellationTokenSource(MaxWait);
        var items = new List<object>();
        await foreach (var item in follower.ReadAsync(resultsBefore, grace, time, timeout.Token))
        {
            items.Add(item);
        }

        return items;
    }

    [Fact]
    public async Task A_reader_that_fell_behind_gets_the_newest_results_and_the_count_of_those_dropped()
    {
        var follower = new CallFollower(capacity: 2);
        for (var i = 1; i <= 5; i++)
        {
            await follower.OnResult(Result(i));
        }

        await follower.OnStatus(Ended(5));
        var items = await ReadAllAsync(follower, 0, TimeSpan.FromMinutes(1), TimeProvider.System);

        Assert.Equal(new DroppedResults(3), items[0]);
        Assert.Equal([4L, 5L], items.OfType<FusedResult>().Select(r => r.Sequence));
        Assert.Equal(CallState.Ended, Assert.IsType<CallStatus>(items[^1]).State);
    }

    [Fact]
    public async Task The_end_waits_for_the_last_result_when_the_end_signal_overtook_it()
    {
        var follower = new CallFollower(capacity: 8);
        await follower.OnStatus(Ended(2));
        await follower.OnResult(Result(1));
        var reading = ReadAllAsync(follower, 0, TimeSpan.FromMinutes(1), TimeProvider.System);
        Assert.False(reading.IsCompleted);

        await follower.OnResult(Result(2));
        var items = await reading;

        Assert.Equal([1L, 2L], items.OfType<FusedResult>().Select(r => r.Sequence));
        Assert.IsType<CallStatus>(items[^1]);
    }

    [Fact]
    public async Task A_result_that_never_comes_ends_the_stream_after_the_grace_period()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var follower = new CallFollower(capacity: 8);
        await follower.OnStatus(Ended(3));
        var reading = ReadAllAsync(follower, 1, TimeSpan.FromSeconds(2), time);
        Assert.False(reading.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(2));
        var items = await reading;

        Assert.Equal(Ended(3), Assert.Single(items));
    }
}
