using Emotion.Orleans.Inference;
using Orleans.Streams;

namespace Emotion.Orleans.Grains.Tests;

[Collection(ClusterDefinition.Name)]
public sealed class CallStreamTests(ClusterFixture fixture)
{
    private static string NewCallId() => $"call-{Guid.NewGuid():N}";

    private IAsyncStream<T> Input<T>(string streamNamespace, string callId) =>
        fixture.Client.GetStreamProvider(CallStreams.Provider).GetStream<T>(StreamId.Create(streamNamespace, callId));

    private static bool UtteranceHeard(IReadOnlyList<FusedResult> results) => results.Any(r => r.Trigger == FusionTrigger.UtteranceEnd);

    [Fact]
    public async Task Inputs_published_on_the_call_streams_reach_the_session_and_results_come_back_on_the_result_stream()
    {
        var id = NewCallId();
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();
        await using var results = await ResultCollector.SubscribeAsync(fixture.Client, id);

        var audio = Input<AudioChunk>(CallStreams.Audio, id);
        foreach (var chunk in TestAudio.Chunks(id, TestAudio.FirstLine(), TimeSpan.Zero, TimeSpan.FromMilliseconds(100)))
        {
            await audio.OnNextAsync(chunk);
        }

        // Two streams carry no order between them: wait for the utterance's result before the text.
        var spoken = await results.WaitUntilAsync(UtteranceHeard);
        await Input<TranscriptSegment>(CallStreams.Text, id).OnNextAsync(
            new TranscriptSegment(id, Speaker.Customer, "Hi, I'm calling about my internet bill. I was charged twice this month.", TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(5.43)));

        var received = await results.WaitForAsync(spoken.Count + 1);
        Assert.Equal(Enumerable.Range(1, received.Count).Select(i => (long)i), received.Select(r => r.Sequence));
        Assert.All(spoken, r => Assert.Equal([InputModality.Speech], r.PresentModalities.ToArray()));
        Assert.Equal([InputModality.Text, InputModality.Speech], received[^1].PresentModalities.ToArray());
        Assert.Equal(received.Select(ResultKey.Of), (await call.ReadAllAsync()).Results.Select(ResultKey.Of));
    }

    [Fact]
    public async Task A_malformed_input_on_a_stream_is_counted_and_the_stream_goes_on()
    {
        var id = NewCallId();
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();
        await using var results = await ResultCollector.SubscribeAsync(fixture.Client, id);
        var audio = Input<AudioChunk>(CallStreams.Audio, id);

        await audio.OnNextAsync(new AudioChunk(id, [1, 2, 3], 16_000, TimeSpan.Zero));
        foreach (var chunk in TestAudio.Chunks(id, TestAudio.FirstLine(), TimeSpan.Zero, TimeSpan.FromMilliseconds(100)))
        {
            await audio.OnNextAsync(chunk);
        }

        // One stream keeps its order: once the speech is heard, the bad chunk before it was refused.
        var received = await results.WaitUntilAsync(UtteranceHeard);
        Assert.All(received, r => Assert.Equal([InputModality.Speech], r.PresentModalities.ToArray()));
        Assert.Equal(1, (await call.GetStatus()).RejectedInputs);
    }

    [SkippableFact]
    public async Task Frames_streamed_faster_than_faces_are_recognised_are_shed_and_the_newest_is_always_recognised()
    {
        Skip.IfNot(TestFrames.HaveFaces, TestFrames.NoDatasets);
        var id = NewCallId();
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();
        await using var results = await ResultCollector.SubscribeAsync(fixture.Client, id);
        using var shed = new ShedFrameCounter();
        var frames = Input<VideoFrame>(CallStreams.Frames, id);
        var face = TestFrames.Face(EmotionLabel.Joy);
        var last = TimeSpan.FromSeconds(19);

        // Published back to back: the stream delivers them far faster than a face run takes.
        for (var k = 0; k < 20; k++)
        {
            await frames.OnNextAsync(new VideoFrame(id, face, TimeSpan.FromSeconds(k)));
        }

        var received = await results.WaitUntilAsync(r => r.Any(x => x.Modalities.Any(c => c.Modality == InputModality.Face && c.End == last)));
        Assert.True(shed.Count > 0, "No streamed frame was superseded: the stream waited for each face run.");
        Assert.True(received.Count + shed.Count <= 20);
        Assert.Equal(0, (await call.GetStatus()).RejectedInputs);
    }

    [Fact]
    public async Task Two_concurrent_calls_never_see_each_others_results()
    {
        var (a, b) = (NewCallId(), NewCallId());
        await using var resultsA = await ResultCollector.SubscribeAsync(fixture.Client, a);
        await using var resultsB = await ResultCollector.SubscribeAsync(fixture.Client, b);
        const int Segments = 8;
        const string LineA = "I am furious, this is ridiculous.";
        const string LineB = "Great, I am so happy, thanks!";

        async Task RunAsync(string id, string line)
        {
            var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
            await call.StartCall();
            for (var i = 0; i < Segments; i++)
            {
                await call.SendText(new TranscriptSegment(id, Speaker.Customer, line, TimeSpan.FromSeconds(i), TimeSpan.FromSeconds(i + 0.8)));
            }
        }

        await Task.WhenAll(RunAsync(a, LineA), RunAsync(b, LineB));

        // Each call's results carry its own line's prediction, with its own earlier turns as
        // dialogue context, never the other's.
        static float[] Expected(string line, long sequence) => ClusterFixture.Models.TextRecognizer.Recognize(
            [new TextTurn(line, [.. Enumerable.Repeat(line, (int)Math.Min(sequence - 1, DialogueContext.DefaultTurns))])])[0].Probabilities;
        var receivedA = await resultsA.WaitForAsync(Segments);
        var receivedB = await resultsB.WaitForAsync(Segments);
        Assert.All(receivedA, r => Assert.Equal(a, r.CallId));
        Assert.All(receivedB, r => Assert.Equal(b, r.CallId));
        Assert.All(receivedA, r => Assert.Equal(Expected(LineA, r.Sequence), r.Modalities.Single().Distribution.Probabilities.ToArray(), new FloatTolerance(1e-4f)));
        Assert.All(receivedB, r => Assert.Equal(Expected(LineB, r.Sequence), r.Modalities.Single().Distribution.Probabilities.ToArray(), new FloatTolerance(1e-4f)));
        Assert.Equal(Enumerable.Range(1, Segments).Select(i => (long)i), receivedA.Select(r => r.Sequence));
        Assert.Equal(Enumerable.Range(1, Segments).Select(i => (long)i), receivedB.Select(r => r.Sequence));
        Assert.Equal(receivedA.Select(ResultKey.Of), (await fixture.Client.GetGrain<ICallSessionGrain>(a).ReadAllAsync()).Results.Select(ResultKey.Of));
        Assert.Equal(receivedB.Select(ResultKey.Of), (await fixture.Client.GetGrain<ICallSessionGrain>(b).ReadAllAsync()).Results.Select(ResultKey.Of));
    }
}
