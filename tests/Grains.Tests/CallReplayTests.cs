namespace Emotion.Orleans.Grains.Tests;

[Collection(ClusterDefinition.Name)]
public sealed class CallReplayTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Chunk = TimeSpan.FromMilliseconds(100);

    private static string NewCallId() => $"call-{Guid.NewGuid():N}";

    private static TranscriptSegment Text(string callId, string text, double start, double end, Speaker speaker = Speaker.Customer) =>
        new(callId, speaker, text, TimeSpan.FromSeconds(start), TimeSpan.FromSeconds(end));

    private static void AssertAlpha(float[] expected, FusedResult result)
    {
        Assert.Equal(3, result.Alpha.Length);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(expected[i], result.Alpha[i], 5);
        }

        Assert.Equal(1f, result.Alpha.Sum(), 5);
    }

    [Fact]
    public async Task Text_only_call_puts_all_attention_on_text_and_numbers_results_in_order()
    {
        var id = NewCallId();
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();
        string[] lines = ["Hello, I need help with my bill.", "This is ridiculous, I am furious!", "Great, thanks a lot."];

        List<FusedResult> results = [];
        for (var i = 0; i < lines.Length; i++)
        {
            results.Add(Assert.IsType<FusedResult>(await call.SendText(Text(id, lines[i], 2.0 * i, (2.0 * i) + 1.5))));
        }

        Assert.Equal([1L, 2L, 3L], results.Select(r => r.Sequence));
        Assert.All(results, r =>
        {
            Assert.Equal(id, r.CallId);
            Assert.Equal([InputModality.Text], r.PresentModalities.ToArray());
            Assert.Equal(FusionTrigger.UtteranceEnd, r.Trigger);
            AssertAlpha([1f, 0f, 0f], r);
        });
        Assert.Equal(["neutral", "anger", "joy"], results.Select(r => r.Emotion));
        Assert.Equal(TimeSpan.FromSeconds(2), results[1].WindowStart);
        Assert.Equal(TimeSpan.FromSeconds(3.5), results[1].WindowEnd);

        var timeline = await call.GetTimeline();
        Assert.Equal(results.Select(ResultKey.Of), timeline.Results.Select(ResultKey.Of));
        Assert.Equal(CallState.Active, timeline.State);
    }

    [Fact]
    public async Task Text_and_audio_call_fuses_both_modalities_with_their_attention_weights()
    {
        var id = NewCallId();
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();

        // One loud utterance (0–1.2 s) then silence long enough to end it.
        float[] audio = [.. TestAudio.Tone(TimeSpan.FromSeconds(1.2), 0.5f), .. TestAudio.Silence(TimeSpan.FromSeconds(0.6))];
        List<FusedResult> speech = [];
        foreach (var chunk in TestAudio.Chunks(id, audio, TimeSpan.Zero, Chunk))
        {
            speech.AddRange(await call.SendAudio(chunk));
        }

        var spoken = Assert.Single(speech);
        Assert.Equal([InputModality.Speech], spoken.PresentModalities.ToArray());
        Assert.Equal(FusionTrigger.UtteranceEnd, spoken.Trigger);
        AssertAlpha([0f, 1f, 0f], spoken);
        Assert.Equal(TimeSpan.Zero, spoken.WindowStart);

        var both = Assert.IsType<FusedResult>(await call.SendText(Text(id, "I am furious about this.", 0.0, 1.2)));
        Assert.Equal([InputModality.Text, InputModality.Speech], both.PresentModalities.ToArray());
        AssertAlpha(TestFusionModel.ExpectedAlpha(InputModality.Text, InputModality.Speech), both);
        Assert.Equal("anger", both.Emotion);
        Assert.Equal(2, both.Modalities.Length);
        Assert.Equal(both.Alpha[1], both.Modalities.Single(m => m.Modality == InputModality.Speech).Alpha);
    }

    [Fact]
    public async Task Face_dropping_out_mid_call_leaves_later_results_without_it()
    {
        var id = NewCallId();
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();

        var first = Assert.IsType<FusedResult>(await call.SendFrame(new VideoFrame(id, TestFrames.Smiling, TimeSpan.FromSeconds(0.5))));
        Assert.Equal([InputModality.Face], first.PresentModalities.ToArray());
        Assert.Equal(FusionTrigger.Cadence, first.Trigger);

        var withFace = Assert.IsType<FusedResult>(await call.SendText(Text(id, "Great, thanks.", 0.6, 1.4)));
        Assert.Equal([InputModality.Text, InputModality.Face], withFace.PresentModalities.ToArray());
        AssertAlpha(TestFusionModel.ExpectedAlpha(InputModality.Text, InputModality.Face), withFace);

        // The customer leaves the camera: a frame without a face is a result, and the face drops out.
        await call.SendFrame(new VideoFrame(id, TestFrames.NoFace, TimeSpan.FromSeconds(2.0)));
        var withoutFace = Assert.IsType<FusedResult>(await call.SendText(Text(id, "I am worried about the next bill.", 2.1, 3.0)));
        Assert.Equal([InputModality.Text], withoutFace.PresentModalities.ToArray());
        AssertAlpha([1f, 0f, 0f], withoutFace);
        Assert.Equal("fear", withoutFace.Emotion);
    }

    [Fact]
    public async Task Frames_produce_results_at_most_once_per_cadence_interval()
    {
        var id = NewCallId();
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();

        List<FusedResult> results = [];
        for (var ms = 0; ms < 3000; ms += 200)
        {
            if (await call.SendFrame(new VideoFrame(id, TestFrames.Frowning, TimeSpan.FromMilliseconds(ms))) is { } r)
            {
                results.Add(r);
            }
        }

        // Cadence 1 s over frames at 0, 0.2, …, 2.8 s: results at 0, 1.0 and 2.0 s.
        Assert.Equal([0.0, 1.0, 2.0], results.Select(r => r.WindowEnd.TotalSeconds));
        Assert.All(results, r => Assert.Equal(FusionTrigger.Cadence, r.Trigger));
        Assert.All(results, r => Assert.Equal("anger", r.Emotion));
    }

    [Fact]
    public async Task Evidence_older_than_the_maximum_age_no_longer_counts()
    {
        var id = NewCallId();
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();
        await call.SendFrame(new VideoFrame(id, TestFrames.Smiling, TimeSpan.FromSeconds(1)));

        // Evidence max age is 10 s in the fixture: the face seen at 1 s is stale at 20 s.
        var late = Assert.IsType<FusedResult>(await call.SendText(Text(id, "Are you still there?", 19, 20)));
        Assert.Equal([InputModality.Text], late.PresentModalities.ToArray());
    }

    [Fact]
    public async Task Start_and_end_times_come_from_the_silo_clock()
    {
        var id = NewCallId();
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        var started = await call.StartCall();
        ClusterFixture.Clock.Advance(TimeSpan.FromMinutes(5));
        var ended = await call.EndCall();

        Assert.Equal(CallState.Active, started.State);
        Assert.Equal(CallState.Ended, ended.State);
        Assert.Equal(TimeSpan.FromMinutes(5), ended.EndedAt - ended.StartedAt);
    }

    [Fact]
    public async Task Ending_a_call_recognises_the_speech_still_buffered()
    {
        var id = NewCallId();
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();
        foreach (var chunk in TestAudio.Chunks(id, TestAudio.Tone(TimeSpan.FromSeconds(1), 0.3f), TimeSpan.Zero, Chunk))
        {
            Assert.Empty(await call.SendAudio(chunk));
        }

        var status = await call.EndCall();

        Assert.Equal(1, status.ResultCount);
        var result = Assert.Single((await call.GetTimeline()).Results);
        Assert.Equal([InputModality.Speech], result.PresentModalities.ToArray());
    }

    [Fact]
    public async Task A_call_continues_from_storage_after_its_grains_are_deactivated()
    {
        var id = NewCallId();
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();
        await call.SendText(Text(id, "I am furious.", 0, 1));
        await call.SendText(Text(id, "Really furious.", 2, 3));

        var management = fixture.Client.GetGrain<IManagementGrain>(0);
        Assert.Contains(await management.GetDetailedGrainStatistics(), g => g.GrainId == call.GetGrainId());
        await management.ForceActivationCollection(TimeSpan.Zero);
        var active = await management.GetDetailedGrainStatistics();
        Assert.DoesNotContain(active, g => g.GrainId == call.GetGrainId());

        await Assert.ThrowsAsync<OutOfOrderTimestampException>(() => call.SendText(Text(id, "Too early.", 1, 2)));
        var next = Assert.IsType<FusedResult>(await call.SendText(Text(id, "Thanks, that helps.", 4, 5)));
        Assert.Equal(3, next.Sequence);
        Assert.Equal([1L, 2L, 3L], (await call.GetTimeline()).Results.Select(r => r.Sequence));
    }
}
