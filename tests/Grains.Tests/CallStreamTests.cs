using Orleans.Streams;

namespace Emotion.Orleans.Grains.Tests;

[Collection(ClusterDefinition.Name)]
public sealed class CallStreamTests(ClusterFixture fixture)
{
    private static string NewCallId() => $"call-{Guid.NewGuid():N}";

    private IAsyncStream<T> Input<T>(string streamNamespace, string callId) =>
        fixture.Client.GetStreamProvider(CallStreams.Provider).GetStream<T>(StreamId.Create(streamNamespace, callId));

    [Fact]
    public async Task Inputs_published_on_the_call_streams_reach_the_session_and_results_come_back_on_the_result_stream()
    {
        var id = NewCallId();
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();
        await using var results = await ResultCollector.SubscribeAsync(fixture.Client, id);

        await Input<VideoFrame>(CallStreams.Frames, id).OnNextAsync(new VideoFrame(id, TestFrames.Smiling, TimeSpan.FromSeconds(0.5)));

        // Two streams carry no order between them: wait for the frame's result before the text.
        await results.WaitForAsync(1);
        await Input<TranscriptSegment>(CallStreams.Text, id).OnNextAsync(new TranscriptSegment(id, Speaker.Customer, "Great, thanks!", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)));

        var received = await results.WaitForAsync(2);
        Assert.Equal([1L, 2L], received.Select(r => r.Sequence));
        Assert.Equal([InputModality.Text, InputModality.Face], received[1].PresentModalities.ToArray());
        Assert.Equal(received.Select(ResultKey.Of), (await call.GetTimeline()).Results.Select(ResultKey.Of));
    }

    [Fact]
    public async Task A_malformed_input_on_a_stream_is_counted_and_the_stream_goes_on()
    {
        var id = NewCallId();
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();
        await using var results = await ResultCollector.SubscribeAsync(fixture.Client, id);
        var frames = Input<VideoFrame>(CallStreams.Frames, id);

        await frames.OnNextAsync(new VideoFrame(id, TestFrames.NotAnImage, TimeSpan.FromSeconds(1)));
        await frames.OnNextAsync(new VideoFrame(id, TestFrames.Smiling, TimeSpan.FromSeconds(2)));

        var received = await results.WaitForAsync(1);
        Assert.Equal(TimeSpan.FromSeconds(2), received[0].WindowEnd);
        Assert.Equal(1, (await call.GetStatus()).RejectedInputs);
    }

    [Fact]
    public async Task Two_concurrent_calls_never_see_each_others_results()
    {
        var (a, b) = (NewCallId(), NewCallId());
        await using var resultsA = await ResultCollector.SubscribeAsync(fixture.Client, a);
        await using var resultsB = await ResultCollector.SubscribeAsync(fixture.Client, b);
        const int Segments = 8;

        async Task RunAsync(string id, string line)
        {
            var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
            await call.StartCall();
            for (var i = 0; i < Segments; i++)
            {
                await call.SendText(new TranscriptSegment(id, Speaker.Customer, line, TimeSpan.FromSeconds(i), TimeSpan.FromSeconds(i + 0.8)));
            }
        }

        await Task.WhenAll(RunAsync(a, "I am furious, this is ridiculous."), RunAsync(b, "Great, I am so happy, thanks!"));

        var receivedA = await resultsA.WaitForAsync(Segments);
        var receivedB = await resultsB.WaitForAsync(Segments);
        Assert.All(receivedA, r => Assert.Equal((a, "anger"), (r.CallId, r.Emotion)));
        Assert.All(receivedB, r => Assert.Equal((b, "joy"), (r.CallId, r.Emotion)));
        Assert.Equal(Enumerable.Range(1, Segments).Select(i => (long)i), receivedA.Select(r => r.Sequence));
        Assert.Equal(Enumerable.Range(1, Segments).Select(i => (long)i), receivedB.Select(r => r.Sequence));
        Assert.Equal(receivedA.Select(ResultKey.Of), (await fixture.Client.GetGrain<ICallSessionGrain>(a).GetTimeline()).Results.Select(ResultKey.Of));
        Assert.Equal(receivedB.Select(ResultKey.Of), (await fixture.Client.GetGrain<ICallSessionGrain>(b).GetTimeline()).Results.Select(ResultKey.Of));
    }
}
