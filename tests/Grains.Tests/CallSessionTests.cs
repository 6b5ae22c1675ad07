using System.Net;
using System.Text.Json;
using Emotion.Orleans.Inference;
using Emotion.Orleans.Silo;
using Microsoft.Extensions.DependencyInjection;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>
/// The call session's own behaviour: modalities side by side, frame admission, input time bounds,
/// idle expiry, long audio gaps and the paged timeline.
/// </summary>
[Collection(ClusterDefinition.Name)]
public sealed class CallSessionTests(ClusterFixture fixture)
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Chunk = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);

    private static readonly TimeSpan EndedCallRetention = TimeSpan.FromDays(1);

    private GatedFaceRecognizer FaceGate => fixture.SiloService<GatedFaceRecognizer>();

    private static string NewCallId() => $"session-{Guid.NewGuid():N}";

    private static TranscriptSegment Text(string callId, string text, double start, double end) =>
        new(callId, Speaker.Customer, text, TimeSpan.FromSeconds(start), TimeSpan.FromSeconds(end));

    private static VideoFrame Frame(string callId, double seconds, byte[]? image = null) =>
        new(callId, image ?? TestFrames.NoFace, TimeSpan.FromSeconds(seconds));

    private async Task<ICallSessionGrain> StartedAsync(string id)
    {
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();
        return call;
    }

    private static async Task<List<FusedResult>> SendAudioAsync(ICallSessionGrain call, string id, float[] audio, TimeSpan start)
    {
        List<FusedResult> results = [];
        foreach (var chunk in TestAudio.Chunks(id, audio, start, Chunk))
        {
            results.AddRange(await call.SendAudio(chunk));
        }

        return results;
    }

    private async Task<bool> IsActivatedAsync(ICallSessionGrain call)
    {
        var statistics = await fixture.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return statistics.Any(g => g.GrainId == call.GetGrainId());
    }

    [Fact]
    public async Task Text_is_answered_while_a_frame_of_the_same_call_is_still_in_face_recognition()
    {
        var id = NewCallId();
        var call = await StartedAsync(id);
        Task<FusedResult?> frame;
        FaceGate.Close();
        try
        {
            frame = call.SendFrame(Frame(id, 1));
            Assert.True(await FaceGate.WaitUntilEnteredAsync());

            var text = await call.SendText(Text(id, "I have been waiting for an hour.", 0.5, 2)).WaitAsync(MaxWait);

            Assert.NotNull(text);
            Assert.False(frame.IsCompleted);
        }
        finally
        {
            FaceGate.Open();
        }

        Assert.Null(await frame.WaitAsync(MaxWait));
        Assert.Equal(1, (await call.GetStatus()).ResultCount);
    }

    [Fact]
    public async Task Results_of_modalities_sent_side_by_side_get_distinct_sequence_numbers_in_timeline_order()
    {
        var id = NewCallId();
        var call = await StartedAsync(id);
        string[] lines = ["Hello, I need help with my bill.", "It says I was charged twice.", "Can you fix it?", "Thanks a lot.", "Bye."];

        async Task<List<FusedResult>> TextFlowAsync()
        {
            List<FusedResult> results = [];
            for (var i = 0; i < lines.Length; i++)
            {
                results.Add(Assert.IsType<FusedResult>(await call.SendText(Text(id, lines[i], i, i + 0.8))));
            }

            return results;
        }

        var flows = await Task.WhenAll(TextFlowAsync(), SendAudioAsync(call, id, TestAudio.FirstLine(), TimeSpan.Zero)).WaitAsync(MaxWait);
        var all = flows.SelectMany(f => f).ToList();

        Assert.True(flows[1].Count > 0, "the speech produced no result");
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all.Select(r => r.Sequence).Order());
        var timeline = await call.ReadAllAsync();
        Assert.Equal(all.OrderBy(r => r.Sequence).Select(ResultKey.Of), timeline.Results.Select(ResultKey.Of));
        Assert.Equal(all.Count, (await call.GetStatus()).ResultCount);
    }

    [Fact]
    public async Task A_frame_waiting_behind_one_in_recognition_is_superseded_by_a_newer_frame()
    {
        var id = NewCallId();
        var call = await StartedAsync(id);
        using var metrics = new MetricDeltas();
        Task<FusedResult?> first;
        Task<FusedResult?> newest;
        FaceGate.Close();
        try
        {
            first = call.SendFrame(Frame(id, 1));
            Assert.True(await FaceGate.WaitUntilEnteredAsync());
            var waiting = call.SendFrame(Frame(id, 2));
            await call.GetStatus();
            newest = call.SendFrame(Frame(id, 3));

            // Answered at once, with no result, while the first frame is still held.
            Assert.Null(await waiting.WaitAsync(MaxWait));
            Assert.False(first.IsCompleted);
        }
        finally
        {
            FaceGate.Open();
        }

        Assert.Null(await first.WaitAsync(MaxWait));
        Assert.Null(await newest.WaitAsync(MaxWait));
        Assert.Equal(1, metrics.Refused("superseded"));

        // The newest frame was recognised: the face clock is at 3 s. A superseded frame is no error.
        await Assert.ThrowsAsync<OutOfOrderTimestampException>(() => call.SendFrame(Frame(id, 2.5)));
        Assert.Equal(1, (await call.GetStatus()).RejectedInputs);
    }

    [Fact]
    public async Task Frames_closer_together_than_the_maximum_face_rate_allows_are_skipped_and_leave_the_face_clock_alone()
    {
        var id = NewCallId();
        var call = await StartedAsync(id);
        using var metrics = new MetricDeltas();

        // Calls:MaxFaceRate is 5 frames per second: at least 0.2 s between recognised frames.
        foreach (var seconds in new[] { 0.0, 0.1, 0.15, 0.2, 0.3, 0.4 })
        {
            Assert.Null(await call.SendFrame(Frame(id, seconds)));
        }

        Assert.Equal(3, metrics.Refused("rate_limited"));
        Assert.Equal(0, (await call.GetStatus()).RejectedInputs);
        await Assert.ThrowsAsync<OutOfOrderTimestampException>(() => call.SendFrame(Frame(id, 0.35)));
    }

    [Fact]
    public async Task Timestamps_outside_the_call_are_refused_as_malformed_and_the_call_still_works()
    {
        var id = NewCallId();
        var call = await StartedAsync(id);
        var late = TimeSpan.FromHours(12) - TimeSpan.FromMilliseconds(50);

        var frame = await Assert.ThrowsAsync<MalformedInputException>(() => call.SendFrame(new VideoFrame(id, TestFrames.NoFace, TimeSpan.MaxValue)));
        var audio = await Assert.ThrowsAsync<MalformedInputException>(() => call.SendAudio(new AudioChunk(id, new byte[3200], 16_000, TimeSpan.FromHours(99_999))));
        var overEnd = await Assert.ThrowsAsync<MalformedInputException>(() => call.SendAudio(new AudioChunk(id, new byte[3200], 16_000, late)));
        var text = await Assert.ThrowsAsync<MalformedInputException>(() => call.SendText(Text(id, "Before the call.", -1, 1)));

        Assert.All([frame, audio, overEnd, text], e => Assert.Equal("TimestampOutOfRange", e.Reason));
        Assert.Equal(InputModality.Face, frame.Modality);
        Assert.Equal(InputModality.Speech, audio.Modality);
        Assert.Equal(InputModality.Text, text.Modality);
        Assert.Equal(4, (await call.GetStatus()).RejectedInputs);

        Assert.Null(await call.SendFrame(Frame(id, 1)));
        Assert.Empty(await call.SendAudio(new AudioChunk(id, new byte[3200], 16_000, TimeSpan.FromSeconds(1))));
        Assert.NotNull(await call.SendText(Text(id, "Now it works.", 1, 2)));
    }

    [Fact]
    public async Task The_http_api_answers_a_timestamp_past_the_call_with_400_and_its_reason()
    {
        var id = NewCallId();
        using var http = fixture.Api.ClientOf(TestTenants.A);
        await http.PostAsync($"/calls/{id}/start", null);
        using var body = new ByteArrayContent(new byte[3200]);
        body.Headers.ContentType = new("application/octet-stream");

        var response = await http.PostAsync($"/calls/{id}/audio?start=99999.00:00:00", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("TimestampOutOfRange", problem.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task An_idle_call_is_ended_after_the_idle_timeout_and_leaves_the_active_calls_gauge()
    {
        var id = NewCallId();
        var call = await StartedAsync(id);
        using var metrics = new MetricDeltas();

        // An input restarts the idle time: 50 minutes after the start, but only 25 after the input.
        ClusterFixture.Clock.Advance(IdleTimeout - TimeSpan.FromMinutes(5));
        Assert.NotNull(await call.SendText(Text(id, "Still there?", 1, 2)));
        ClusterFixture.Clock.Advance(IdleTimeout - TimeSpan.FromMinutes(5));
        Assert.Equal(CallState.Active, (await call.GetStatus()).State);

        var gaugeBefore = metrics.ActiveCalls;
        ClusterFixture.Clock.Advance(TimeSpan.FromMinutes(6));
        var ended = await Eventually.ReadUntilAsync(call.GetStatus, s => s.State == CallState.Ended);

        Assert.Equal(ClusterFixture.Clock.GetUtcNow(), ended.EndedAt);
        Assert.Equal(1, ended.ResultCount);
        // The status reads Ended as soon as ending starts; the gauge moves once the end is stored.
        var gauge = await Eventually.ReadUntilAsync(() => Task.FromResult(metrics.ActiveCalls), g => g <= gaugeBefore - 1);
        Assert.True(gauge <= gaugeBefore - 1, $"active calls gauge moved by {gauge - gaugeBefore}");
        await Assert.ThrowsAsync<CallEndedException>(() => call.SendText(Text(id, "Hello?", 3, 4)));
    }

    [Fact]
    public async Task A_call_idle_while_its_session_is_not_activated_is_still_ended_by_its_timer()
    {
        var id = NewCallId();
        var call = await StartedAsync(id);
        await fixture.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.False(await IsActivatedAsync(call));

        ClusterFixture.Clock.Advance(IdleTimeout + TimeSpan.FromMinutes(1));

        // The timer activates the session by itself; only then is the call looked at.
        await Eventually.ReadUntilAsync(() => IsActivatedAsync(call), activated => activated);
        var status = await Eventually.ReadUntilAsync(call.GetStatus, s => s.State == CallState.Ended);
        Assert.Equal(CallState.Ended, status.State);
    }

    [Fact]
    public async Task Audio_after_a_long_gap_recognises_the_speech_before_it_and_segmentation_restarts()
    {
        var id = NewCallId();
        var call = await StartedAsync(id);

        // Cut off mid-utterance, then the call is on hold for a minute (Calls:MaxAudioGap is 30 s).
        Assert.Empty(await SendAudioAsync(call, id, TestAudio.SampleCall(0.2, 2.4), TimeSpan.Zero));
        var resumed = await call.SendAudio(TestAudio.Chunks(id, TestAudio.Silence(Chunk), TimeSpan.FromSeconds(62.4), Chunk).Single());

        var held = Assert.Single(resumed);
        Assert.Equal(FusionTrigger.UtteranceEnd, held.Trigger);
        Assert.InRange(held.WindowEnd.TotalSeconds, 2.0, 2.4);

        var later = await SendAudioAsync(call, id, TestAudio.FirstLine(), TimeSpan.FromSeconds(70));
        Assert.NotEmpty(later);
        Assert.All(later, r => Assert.InRange(r.Modalities.Single(m => m.Modality == InputModality.Speech).Start.TotalSeconds, 70.2, 76.0));
        Assert.Equal(0, (await call.GetStatus()).RejectedInputs);
    }

    [SkippableFact]
    public async Task Ending_a_call_waits_for_a_frame_still_in_recognition_and_refuses_inputs_meanwhile()
    {
        Skip.IfNot(TestFrames.HaveFaces, TestFrames.NoDatasets);
        var id = NewCallId();
        var call = await StartedAsync(id);
        Task<FusedResult?> frame;
        Task<CallStatus> end;
        FaceGate.Close();
        try
        {
            frame = call.SendFrame(Frame(id, 0.5, TestFrames.Face(EmotionLabel.Joy)));
            Assert.True(await FaceGate.WaitUntilEnteredAsync());
            end = call.EndCall();
            await call.GetStatus();

            await Assert.ThrowsAsync<CallEndedException>(() => call.SendText(Text(id, "One more thing.", 1, 2)));
            Assert.False(end.IsCompleted);
        }
        finally
        {
            FaceGate.Open();
        }

        var result = await frame.WaitAsync(MaxWait);
        var status = await end.WaitAsync(MaxWait);
        Assert.NotNull(result);
        Assert.Equal(CallState.Ended, status.State);
        Assert.Equal(1, status.ResultCount);
        Assert.Equal([result.Sequence], (await call.ReadAllAsync()).Results.Select(r => r.Sequence));
    }

    [Fact]
    public async Task An_ended_calls_timeline_stays_for_the_retention_then_its_pages_and_results_are_removed_and_its_status_stays()
    {
        var id = NewCallId();
        var call = await StartedAsync(id);
        for (var i = 0; i < 6; i++)
        {
            Assert.NotNull(await call.SendText(Text(id, $"Line number {i + 1} of the call.", i, i + 0.5)));
        }

        await call.EndCall();
        var page = fixture.Client.GetGrain<ICallTimelinePageGrain>(CallTimelines.PageKey(id, 0));

        // Calls:EndedCallRetention is a day: a minute before it, the whole timeline is there.
        ClusterFixture.Clock.Advance(EndedCallRetention - TimeSpan.FromMinutes(1));
        Assert.Equal(6, (await call.ReadAllAsync()).Results.Length);
        Assert.Equal(4, (await page.Read()).Length);

        ClusterFixture.Clock.Advance(TimeSpan.FromMinutes(2));
        var removed = await Eventually.ReadUntilAsync(() => IsRemovedAsync(call), r => r);

        Assert.True(removed);
        Assert.Empty(await page.Read());
        var status = await call.GetStatus();
        Assert.Equal(CallState.Ended, status.State);
        Assert.Equal(6, status.ResultCount);
        await Assert.ThrowsAsync<CallEndedException>(() => call.SendText(Text(id, "Hello again?", 10, 11)));
        await Assert.ThrowsAsync<CallEndedException>(() => call.StartCall());
    }

    [Fact]
    public async Task An_ended_call_not_activated_when_its_retention_passes_is_removed_by_its_timer()
    {
        var id = NewCallId();
        var call = await StartedAsync(id);
        for (var i = 0; i < 5; i++)
        {
            Assert.NotNull(await call.SendText(Text(id, $"Line number {i + 1}.", i, i + 0.5)));
        }

        await call.EndCall();
        var page = fixture.Client.GetGrain<ICallTimelinePageGrain>(CallTimelines.PageKey(id, 0));
        Assert.Equal(4, (await page.Read()).Length);
        await fixture.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.False(await IsActivatedAsync(call));

        ClusterFixture.Clock.Advance(EndedCallRetention + TimeSpan.FromMinutes(1));

        // The timer activates the session by itself, which removes the pages. Waiting on a page, not on
        // the session, leaves the session unactivated by the test (its activation may be brief: once the
        // timeline is gone it deactivates when idle).
        Assert.Empty(await Eventually.ReadUntilAsync(() => page.Read(), p => p.Length == 0));
        Assert.True(await IsRemovedAsync(call));
        Assert.Equal(5, (await call.GetStatus()).ResultCount);
    }

    private static async Task<bool> IsRemovedAsync(ICallSessionGrain call)
    {
        try
        {
            await call.GetTimeline(0, 1);
            return false;
        }
        catch (TimelineRemovedException)
        {
            return true;
        }
    }

    [Fact]
    public async Task The_timeline_is_stored_in_full_pages_and_read_page_by_page_from_any_sequence_number()
    {
        var id = NewCallId();
        var call = await StartedAsync(id);
        for (var i = 0; i < 10; i++)
        {
            Assert.NotNull(await call.SendText(Text(id, $"Line number {i + 1} of the call.", i, i + 0.5)));
        }

        // Calls:TimelinePageSize is 4: results 1–4 and 5–8 sit in their pages, 9 and 10 in the session.
        var pages = fixture.Client.GetGrain<ICallTimelinePageGrain>(CallTimelines.PageKey(id, 0));
        Assert.Equal([1L, 2L, 3L, 4L], (await pages.Read()).Select(r => r.Sequence));
        Assert.Equal([5L, 6L, 7L, 8L], (await fixture.Client.GetGrain<ICallTimelinePageGrain>(CallTimelines.PageKey(id, 1)).Read()).Select(r => r.Sequence));
        Assert.Empty(await fixture.Client.GetGrain<ICallTimelinePageGrain>(CallTimelines.PageKey(id, 2)).Read());

        var head = await call.GetTimeline(0, 3);
        Assert.Equal([1L, 2L, 3L], head.Results.Select(r => r.Sequence));
        Assert.Equal(4, head.Next);
        var rest = await call.GetTimeline(4, CallTimeline.MaxPageSize);
        Assert.Equal([4L, 5L, 6L, 7L, 8L, 9L, 10L], rest.Results.Select(r => r.Sequence));
        Assert.Null(rest.Next);
        Assert.Equal([9L], (await call.GetTimeline(9, 1)).Results.Select(r => r.Sequence));
        Assert.Null((await call.GetTimeline(10, 1)).Next);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => call.GetTimeline(0, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => call.GetTimeline(-1, 10));

        // The same after the grains leave memory and after the call ends.
        var before = (await call.ReadAllAsync()).Results.Select(ResultKey.Of).ToList();
        Assert.Equal(10, before.Count);
        await fixture.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.Equal(before, (await call.ReadAllAsync()).Results.Select(ResultKey.Of));
        Assert.Equal(11, Assert.IsType<FusedResult>(await call.SendText(Text(id, "And one more.", 11, 12))).Sequence);
        await call.EndCall();
        Assert.Equal([.. Enumerable.Range(1, 11).Select(i => (long)i)], (await call.ReadAllAsync()).Results.Select(r => r.Sequence));
    }

    [Fact]
    public async Task Input_clocks_and_counters_not_yet_stored_are_written_when_the_session_deactivates()
    {
        var id = NewCallId();
        var call = await StartedAsync(id);

        // Silence and a frame without a face produce no result, so nothing was written for them yet.
        Assert.Empty(await call.SendAudio(new AudioChunk(id, new byte[3200], 16_000, TimeSpan.FromSeconds(5))));
        Assert.Null(await call.SendFrame(Frame(id, 5)));
        await Assert.ThrowsAsync<MalformedInputException>(() => call.SendFrame(Frame(id, -1)));
        await fixture.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.False(await IsActivatedAsync(call));

        await Assert.ThrowsAsync<OutOfOrderTimestampException>(() => call.SendAudio(new AudioChunk(id, new byte[3200], 16_000, TimeSpan.FromSeconds(1))));
        await Assert.ThrowsAsync<OutOfOrderTimestampException>(() => call.SendFrame(Frame(id, 4)));
        Assert.Equal(3, (await call.GetStatus()).RejectedInputs);
    }

    [Fact]
    public async Task The_http_timeline_takes_from_and_max_and_says_where_the_next_page_starts()
    {
        var id = NewCallId();
        using var http = fixture.Api.ClientOf(TestTenants.A);
        await http.PostAsync($"/calls/{id}/start", null);
        var key = TenantClaims.CallKey(TestTenants.A, id);
        var call = fixture.Api.Services.GetRequiredService<IGrainFactory>().GetGrain<ICallSessionGrain>(key);
        for (var i = 0; i < 5; i++)
        {
            await call.SendText(Text(key, $"Line number {i + 1}.", i, i + 0.5));
        }

        var page = JsonDocument.Parse(await http.GetStringAsync($"/calls/{id}/timeline?from=2&max=2")).RootElement;
        Assert.Equal([2L, 3L], page.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("sequence").GetInt64()));
        Assert.Equal(4, page.GetProperty("next").GetInt64());

        var whole = JsonDocument.Parse(await http.GetStringAsync($"/calls/{id}/timeline")).RootElement;
        Assert.Equal(5, whole.GetProperty("results").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, whole.GetProperty("next").ValueKind);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync($"/calls/{id}/timeline?max=0")).StatusCode);
    }
}
