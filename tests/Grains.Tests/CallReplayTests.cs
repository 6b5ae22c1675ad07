using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains.Tests;

[Collection(ClusterDefinition.Name)]
public sealed class CallReplayTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Chunk = TimeSpan.FromMilliseconds(100);

    private static string NewCallId() => $"call-{Guid.NewGuid():N}";

    private static TranscriptSegment Text(string callId, string text, double start, double end, Speaker speaker = Speaker.Customer) =>
        new(callId, speaker, text, TimeSpan.FromSeconds(start), TimeSpan.FromSeconds(end));

    /// <summary>α has a weight per modality, zero for the absent ones, positive for the present ones, summing to 1.</summary>
    private static void AssertAlpha(FusedResult result, params InputModality[] present)
    {
        Assert.Equal(present.Order(), result.PresentModalities.Order());
        Assert.Equal(3, result.Alpha.Length);
        foreach (var m in Enum.GetValues<InputModality>())
        {
            if (present.Contains(m))
            {
                Assert.InRange(result.Alpha[(int)m], 1e-6f, 1f);
            }
            else
            {
                Assert.Equal(0f, result.Alpha[(int)m]);
            }
        }

        Assert.Equal(1f, result.Alpha.Sum(), 5);
        Assert.All(result.Modalities, m => Assert.Equal(result.Alpha[(int)m.Modality], m.Alpha));
        Assert.Equal(1f, result.Distribution.Probabilities.Sum(), 4);
    }

    private static async Task<List<FusedResult>> SendAudioAsync(ICallSessionGrain call, string id, float[] audio, TimeSpan start, int rate = TestAudio.Rate)
    {
        List<FusedResult> results = [];
        foreach (var chunk in TestAudio.Chunks(id, audio, start, Chunk, rate))
        {
            results.AddRange(await call.SendAudio(chunk));
        }

        return results;
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
            Assert.Equal(FusionTrigger.UtteranceEnd, r.Trigger);
            AssertAlpha(r, InputModality.Text);
            Assert.Equal(1f, r.Alpha[(int)InputModality.Text], 6);
        });

        // With text alone, the fused distribution follows the text model's own prediction.
        var alone = ClusterFixture.Models.TextRecognizer.Recognize(lines);
        for (var i = 0; i < lines.Length; i++)
        {
            Assert.Equal(EmotionLabels.Name((EmotionLabel)Array.IndexOf(alone[i].Probabilities, alone[i].Probabilities.Max())), results[i].Modalities[0].Distribution.Top);
        }

        Assert.Equal(TimeSpan.FromSeconds(2), results[1].WindowStart);
        Assert.Equal(TimeSpan.FromSeconds(3.5), results[1].WindowEnd);

        var timeline = await call.ReadAllAsync();
        Assert.Equal(results.Select(ResultKey.Of), timeline.Results.Select(ResultKey.Of));
        Assert.Equal(CallState.Active, timeline.State);
    }

    [Fact]
    public async Task A_clearly_angry_utterance_reads_as_anger_and_disgust_more_than_joy_and_a_happy_one_the_other_way_round()
    {
        var id = NewCallId();
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();

        var angry = Assert.IsType<FusedResult>(await call.SendText(Text(id, "This is outrageous, I am furious, you charged me twice!", 0, 3)));
        var happy = Assert.IsType<FusedResult>(await call.SendText(Text(id, "Great, I am so happy, thanks!", 4, 6)));

        var a = angry.Distribution;
        Assert.True(a["anger"] + a["disgust"] > a["joy"], $"angry: anger {a["anger"]:0.000} + disgust {a["disgust"]:0.000} vs joy {a["joy"]:0.000}");
        var h = happy.Distribution;
        Assert.True(h["joy"] > h["anger"] + h["disgust"], $"happy: joy {h["joy"]:0.000} vs anger {h["anger"]:0.000} + disgust {h["disgust"]:0.000}");
    }

    [Fact]
    public async Task Speech_is_segmented_recognised_and_fused_with_the_transcript()
    {
        var id = NewCallId();
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();

        // The customer's first line (spoken 0.50–5.43 s), then silence that ends it.
        var speech = await SendAudioAsync(call, id, TestAudio.FirstLine(), TimeSpan.Zero);

        Assert.NotEmpty(speech);
        Assert.All(speech, r => AssertAlpha(r, InputModality.Speech));
        Assert.All(speech, r => Assert.Equal(1f, r.Alpha[(int)InputModality.Speech], 6));
        Assert.Equal(FusionTrigger.UtteranceEnd, speech[^1].Trigger);
        Assert.InRange(speech[0].WindowStart.TotalSeconds, 0.2, 0.6);
        Assert.InRange(speech[^1].WindowEnd.TotalSeconds, 4.6, 6.0);

        var both = Assert.IsType<FusedResult>(await call.SendText(Text(id, "Hi, I'm calling about my internet bill. I was charged twice this month.", 0.5, 5.43)));
        AssertAlpha(both, InputModality.Text, InputModality.Speech);
        Assert.Equal(2, both.Modalities.Length);
    }

    [Fact]
    public async Task Audio_at_48_kHz_is_resampled_and_heard_like_the_same_audio_at_16_kHz()
    {
        var (a, b) = (NewCallId(), NewCallId());
        var (at16, at48) = (fixture.Client.GetGrain<ICallSessionGrain>(a), fixture.Client.GetGrain<ICallSessionGrain>(b));
        await at16.StartCall();
        await at48.StartCall();
        var audio = TestAudio.FirstLine();

        var heard16 = await SendAudioAsync(at16, a, audio, TimeSpan.Zero);
        var heard48 = await SendAudioAsync(at48, b, TestAudio.To48k(audio), TimeSpan.Zero, rate: 48_000);

        // The same speech on the call's clock: where the utterance starts and ends. (Pauses inside
        // it near the VAD's threshold may split it differently after resampling.)
        Assert.NotEmpty(heard16);
        Assert.NotEmpty(heard48);
        Assert.All(heard48, r => AssertAlpha(r, InputModality.Speech));
        Assert.Equal(heard16[0].WindowStart.TotalSeconds, heard48[0].WindowStart.TotalSeconds, 0.1);
        Assert.Equal(heard16[^1].WindowEnd.TotalSeconds, heard48[^1].WindowEnd.TotalSeconds, 0.1);
        Assert.Equal(FusionTrigger.UtteranceEnd, heard48[^1].Trigger);
    }

    [SkippableFact]
    public async Task Face_dropping_out_mid_call_leaves_later_results_without_it()
    {
        Skip.IfNot(TestFrames.HaveFaces, TestFrames.NoDatasets);
        var id = NewCallId();
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();

        var first = Assert.IsType<FusedResult>(await call.SendFrame(new VideoFrame(id, TestFrames.Face(EmotionLabel.Joy), TimeSpan.FromSeconds(0.5))));
        AssertAlpha(first, InputModality.Face);
        Assert.Equal(FusionTrigger.Cadence, first.Trigger);

        var withFace = Assert.IsType<FusedResult>(await call.SendText(Text(id, "Great, thanks.", 0.6, 1.4)));
        AssertAlpha(withFace, InputModality.Text, InputModality.Face);

        // The customer leaves the camera: a frame without a face makes the face absent.
        Assert.Null(await call.SendFrame(new VideoFrame(id, TestFrames.NoFace, TimeSpan.FromSeconds(2.0))));
        var withoutFace = Assert.IsType<FusedResult>(await call.SendText(Text(id, "I am worried about the next bill.", 2.1, 3.0)));
        AssertAlpha(withoutFace, InputModality.Text);
        Assert.Equal(1f, withoutFace.Alpha[(int)InputModality.Text], 6);
    }

    [SkippableFact]
    public async Task Frames_produce_results_at_most_once_per_cadence_interval()
    {
        Skip.IfNot(TestFrames.HaveFaces, TestFrames.NoDatasets);
        var id = NewCallId();
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();
        var face = TestFrames.Face(EmotionLabel.Anger);

        List<FusedResult> results = [];
        for (var ms = 0; ms < 3000; ms += 200)
        {
            if (await call.SendFrame(new VideoFrame(id, face, TimeSpan.FromMilliseconds(ms))) is { } r)
            {
                results.Add(r);
            }
        }

        // Cadence 1 s over frames at 0, 0.2, …, 2.8 s: results at 0, 1.0 and 2.0 s.
        Assert.Equal([0.0, 1.0, 2.0], results.Select(r => r.WindowEnd.TotalSeconds));
        Assert.All(results, r => Assert.Equal(FusionTrigger.Cadence, r.Trigger));
        Assert.All(results, r => AssertAlpha(r, InputModality.Face));
    }

    [Fact]
    public async Task Evidence_older_than_the_maximum_age_no_longer_counts()
    {
        var id = NewCallId();
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();
        var speech = await SendAudioAsync(call, id, TestAudio.FirstLine(), TimeSpan.Zero);
        var spokenUntil = speech[^1].WindowEnd;

        // Evidence max age is 10 s in the fixture: the speech still counts 2 s later, not 15 s later.
        var soon = Assert.IsType<FusedResult>(await call.SendText(Text(id, "Can you check?", 6.5, 7.5)));
        AssertAlpha(soon, InputModality.Text, InputModality.Speech);
        var late = Assert.IsType<FusedResult>(await call.SendText(Text(id, "Are you still there?", spokenUntil.TotalSeconds + 14, spokenUntil.TotalSeconds + 15)));
        AssertAlpha(late, InputModality.Text);
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

        // Cut off while the customer is still speaking: no silence has ended the utterance.
        Assert.Empty(await SendAudioAsync(call, id, TestAudio.SampleCall(0.2, 2.4), TimeSpan.Zero));
        var status = await call.EndCall();

        Assert.Equal(1, status.ResultCount);
        var result = Assert.Single((await call.ReadAllAsync()).Results);
        AssertAlpha(result, InputModality.Speech);
        Assert.Equal(FusionTrigger.UtteranceEnd, result.Trigger);
        Assert.InRange(result.WindowEnd.TotalSeconds, 2.0, 2.4);
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
        Assert.Equal([1L, 2L, 3L], (await call.ReadAllAsync()).Results.Select(r => r.Sequence));
    }
}
