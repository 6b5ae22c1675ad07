namespace Emotion.Orleans.Grains.Tests;

[Collection(ClusterDefinition.Name)]
public sealed class CallErrorTests(ClusterFixture fixture)
{
    private static string NewCallId() => $"call-{Guid.NewGuid():N}";

    private static TranscriptSegment Text(string callId, string text, double start, double end) =>
        new(callId, Speaker.Customer, text, TimeSpan.FromSeconds(start), TimeSpan.FromSeconds(end));

    private async Task<ICallSessionGrain> StartedAsync(string id)
    {
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();
        return call;
    }

    [Fact]
    public async Task Unknown_call_refuses_inputs_and_timeline_with_call_not_found()
    {
        var id = NewCallId();
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);

        var error = await Assert.ThrowsAsync<CallNotFoundException>(() => call.SendText(Text(id, "hello", 0, 1)));
        Assert.Equal(id, error.CallId);
        await Assert.ThrowsAsync<CallNotFoundException>(() => call.SendFrame(new VideoFrame(id, TestFrames.NoFace, TimeSpan.Zero)));
        await Assert.ThrowsAsync<CallNotFoundException>(call.ReadAllAsync);
        await Assert.ThrowsAsync<CallNotFoundException>(call.EndCall);
        Assert.Equal(CallState.Unknown, (await call.GetStatus()).State);
    }

    [Fact]
    public async Task Ended_call_refuses_inputs_and_restart_but_keeps_its_timeline()
    {
        var id = NewCallId();
        var call = await StartedAsync(id);
        await call.SendText(Text(id, "Great, thanks.", 0, 1));
        await call.EndCall();

        await Assert.ThrowsAsync<CallEndedException>(() => call.SendText(Text(id, "One more thing", 2, 3)));
        await Assert.ThrowsAsync<CallEndedException>(() => call.SendAudio(new AudioChunk(id, new byte[320], 16_000, TimeSpan.FromSeconds(2))));
        await Assert.ThrowsAsync<CallEndedException>(call.StartCall);

        var timeline = await call.ReadAllAsync();
        Assert.Equal(CallState.Ended, timeline.State);
        Assert.Single(timeline.Results);
        Assert.Equal(CallState.Ended, (await call.EndCall()).State);
    }

    [Fact]
    public async Task Malformed_audio_chunks_are_refused_and_the_call_still_works()
    {
        var id = NewCallId();
        var call = await StartedAsync(id);

        var odd = await Assert.ThrowsAsync<MalformedInputException>(() => call.SendAudio(new AudioChunk(id, new byte[321], 16_000, TimeSpan.Zero)));
        Assert.Equal("WrongShape", odd.Reason);
        Assert.Equal(InputModality.Speech, odd.Modality);
        var rate = await Assert.ThrowsAsync<MalformedInputException>(() => call.SendAudio(new AudioChunk(id, new byte[320], 11_025, TimeSpan.Zero)));
        Assert.Equal("UnsupportedSampleRate", rate.Reason);
        var empty = await Assert.ThrowsAsync<MalformedInputException>(() => call.SendAudio(new AudioChunk(id, [], 16_000, TimeSpan.Zero)));
        Assert.Equal("Empty", empty.Reason);
        var tooLong = await Assert.ThrowsAsync<MalformedInputException>(() => call.SendAudio(new AudioChunk(id, new byte[2 * 8_000 * 31], 8_000, TimeSpan.Zero)));
        Assert.Equal("TooLarge", tooLong.Reason);

        // The refused chunks changed nothing: speech from 0 s is still accepted and recognised.
        List<FusedResult> results = [];
        foreach (var chunk in TestAudio.Chunks(id, TestAudio.FirstLine(), TimeSpan.Zero, TimeSpan.FromMilliseconds(100)))
        {
            results.AddRange(await call.SendAudio(chunk));
        }

        Assert.NotEmpty(results);
        var status = await call.GetStatus();
        Assert.Equal(4, status.RejectedInputs);
        Assert.Equal(results.Count, status.ResultCount);
    }

    [Fact]
    public async Task Audio_at_8_kHz_is_accepted()
    {
        var id = NewCallId();
        var call = await StartedAsync(id);

        Assert.Empty(await call.SendAudio(new AudioChunk(id, new byte[1600], 8_000, TimeSpan.Zero)));
        Assert.Empty(await call.SendAudio(new AudioChunk(id, new byte[1600], 8_000, TimeSpan.FromSeconds(0.1))));

        // The two chunks moved the audio clock to 0.2 s.
        var early = await Assert.ThrowsAsync<OutOfOrderTimestampException>(() => call.SendAudio(new AudioChunk(id, new byte[1600], 8_000, TimeSpan.FromSeconds(0.1))));
        Assert.Equal(TimeSpan.FromSeconds(0.2), early.ExpectedAtLeast);
    }

    [Fact]
    public async Task Malformed_frame_is_refused_with_the_recognizer_reason_and_the_call_still_works()
    {
        var id = NewCallId();
        var call = await StartedAsync(id);

        var error = await Assert.ThrowsAsync<MalformedInputException>(() => call.SendFrame(new VideoFrame(id, TestFrames.NotAnImage, TimeSpan.FromSeconds(1))));
        Assert.Equal(InputModality.Face, error.Modality);
        Assert.Equal("UnsupportedFormat", error.Reason);

        // Same timestamp again is fine: the refused frame did not move the face clock; the accepted one does.
        Assert.Null(await call.SendFrame(new VideoFrame(id, TestFrames.NoFace, TimeSpan.FromSeconds(1))));
        await Assert.ThrowsAsync<OutOfOrderTimestampException>(() => call.SendFrame(new VideoFrame(id, TestFrames.NoFace, TimeSpan.FromSeconds(1))));
        Assert.Equal(2, (await call.GetStatus()).RejectedInputs);
    }

    [Fact]
    public async Task Empty_text_is_refused_as_malformed_and_the_call_still_works()
    {
        var id = NewCallId();
        var call = await StartedAsync(id);

        var error = await Assert.ThrowsAsync<MalformedInputException>(() => call.SendText(Text(id, "   ", 0, 1)));
        Assert.Equal(InputModality.Text, error.Modality);
        Assert.Equal("Empty", error.Reason);
        var invisible = await Assert.ThrowsAsync<MalformedInputException>(() => call.SendText(Text(id, "\u200B\u0007", 0, 1)));
        Assert.Equal("InvalidText", invisible.Reason);
        await Assert.ThrowsAsync<MalformedInputException>(() => call.SendText(Text(id, "ends before it starts", 3, 2)));
        await Assert.ThrowsAsync<MalformedInputException>(() => call.SendText(Text("another-call", "wrong call id", 0, 1)));

        Assert.NotNull(await call.SendText(Text(id, "Thanks, that worked.", 0, 1)));
    }

    [Fact]
    public async Task Out_of_order_timestamps_are_refused_and_the_call_still_works()
    {
        var id = NewCallId();
        var call = await StartedAsync(id);
        await call.SendText(Text(id, "First question.", 5, 6));
        await call.SendFrame(new VideoFrame(id, TestFrames.NoFace, TimeSpan.FromSeconds(5)));
        await call.SendAudio(new AudioChunk(id, new byte[3200], 16_000, TimeSpan.FromSeconds(5)));

        var text = await Assert.ThrowsAsync<OutOfOrderTimestampException>(() => call.SendText(Text(id, "Earlier words.", 2, 3)));
        Assert.Equal(InputModality.Text, text.Modality);
        Assert.Equal(TimeSpan.FromSeconds(2), text.Received);
        Assert.Equal(TimeSpan.FromSeconds(5), text.ExpectedAtLeast);
        await Assert.ThrowsAsync<OutOfOrderTimestampException>(() => call.SendFrame(new VideoFrame(id, TestFrames.NoFace, TimeSpan.FromSeconds(5))));
        var audio = await Assert.ThrowsAsync<OutOfOrderTimestampException>(() => call.SendAudio(new AudioChunk(id, new byte[3200], 16_000, TimeSpan.FromSeconds(5))));
        Assert.Equal(TimeSpan.FromSeconds(5.1), audio.ExpectedAtLeast);

        Assert.NotNull(await call.SendText(Text(id, "Next question.", 6, 7)));
        Assert.Empty(await call.SendAudio(new AudioChunk(id, new byte[3200], 16_000, TimeSpan.FromSeconds(5.1))));
        var status = await call.GetStatus();
        Assert.Equal(3, status.RejectedInputs);
        Assert.Equal(CallState.Active, status.State);
    }
}
