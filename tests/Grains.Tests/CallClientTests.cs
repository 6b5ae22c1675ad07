using System.Net;
using Emotion.Orleans.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>The .NET clients: HTTP (API key, problem details, SSE) and Orleans (results that end with the call).</summary>
[Collection(ClusterDefinition.Name)]
public sealed class CallClientTests(ClusterFixture fixture)
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Http_client_drives_a_call_and_its_result_stream_completes_at_the_end()
    {
        using var timeout = new CancellationTokenSource(MaxWait);
        var client = new EmotionHttpCallClient(fixture.Api.CreateClient(), TestTenants.KeyOf(TestTenants.A));
        var id = $"client-{Guid.NewGuid():N}";
        Assert.Equal(CallState.Active, (await client.StartCallAsync(id, timeout.Token)).State);

        var following = ReadAllAsync(client.ReadResultsAsync(id, timeout.Token));
        await WaitForFollowerAsync(fixture.Api.Services.GetRequiredService<IClusterClient>(), $"{TestTenants.A}/{id}", timeout.Token);
        var text = Assert.Single(await client.SendTextAsync(id, Speaker.Customer, "This is ridiculous, I am furious.", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), timeout.Token));
        Assert.Equal(id, text.CallId);
        Assert.Contains(text.Emotion, EmotionDistribution.Labels);
        await client.SendAudioAsync(id, TestAudio.ToPcm16(TestAudio.SampleCall(0, 1)), 16_000, TimeSpan.FromSeconds(3), timeout.Token);
        await client.SendFrameAsync(id, TestFrames.NoFace, TimeSpan.FromSeconds(4), timeout.Token);

        var refused = await Assert.ThrowsAsync<EmotionApiException>(() => client.SendFrameAsync(id, TestFrames.NotAnImage, TimeSpan.FromSeconds(5), timeout.Token));
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("UnsupportedFormat", refused.Reason);

        Assert.Equal(CallState.Ended, (await client.EndCallAsync(id, timeout.Token)).State);
        var streamed = await following;
        var timeline = await client.GetTimelineAsync(id, timeout.Token);
        Assert.Equal(timeline.Results.Select(r => r.Sequence), streamed.Select(r => r.Sequence));
        Assert.Equal(timeline.Results.Length, (await client.GetStatusAsync(id, timeout.Token)).ResultCount);

        var unknown = await Assert.ThrowsAsync<EmotionApiException>(() => client.GetTimelineAsync($"never-{Guid.NewGuid():N}", timeout.Token));
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        var wrongKey = new EmotionHttpCallClient(fixture.Api.CreateClient(), "not-a-key-of-anyone-at-all");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<EmotionApiException>(() => wrongKey.GetStatusAsync(id, timeout.Token))).Status);
    }

    [Fact]
    public async Task Orleans_client_results_complete_when_the_call_ends()
    {
        using var timeout = new CancellationTokenSource(MaxWait);
        var client = new EmotionCallClient(fixture.Client);
        var id = $"orleans-client-{Guid.NewGuid():N}";
        await client.StartCallAsync(id);
        var following = ReadAllAsync(client.ReadResultsAsync(id, timeout.Token));
        await WaitForFollowerAsync(fixture.Client, id, timeout.Token);
        var sent = await client.SendTextAsync(new TranscriptSegment(id, Speaker.Customer, "Thank you, that is great news!", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)));
        await client.EndCallAsync(id);

        var results = await following;
        Assert.Equal([sent!.Sequence], results.Select(r => r.Sequence));

        // Following a call that already ended completes at once.
        Assert.Empty(await ReadAllAsync(client.ReadResultsAsync(id, timeout.Token)));
    }

    // "Results from now on": the follower subscribes on its first read, which runs concurrently with the test.
    private static async Task WaitForFollowerAsync(IClusterClient client, string key, CancellationToken cancellationToken)
    {
        var stream = client.GetStreamProvider(CallStreams.Provider).GetStream<CallStatus>(StreamId.Create(CallStreams.Status, key));
        while ((await stream.GetAllSubscriptionHandles()).Count == 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    private static async Task<List<FusedResult>> ReadAllAsync(IAsyncEnumerable<FusedResult> results)
    {
        var all = new List<FusedResult>();
        await foreach (var result in results)
        {
            all.Add(result);
        }

        return all;
    }
}
