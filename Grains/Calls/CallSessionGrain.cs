using System.Collections.Immutable;
using System.Diagnostics;
using Emotion.Orleans.Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Emotion.Orleans.Grains;

/// <summary>
/// One call. Inputs come as direct calls or on the call's input streams (implicitly subscribed);
/// each is checked (state, timestamps, order, format) before anything changes, so a refused input
/// leaves the call as it was. The call's modalities run side by side, each in its own order.
/// </summary>
[ImplicitStreamSubscription(CallStreams.Text)]
[ImplicitStreamSubscription(CallStreams.Audio)]
[ImplicitStreamSubscription(CallStreams.Frames)]
// Reentrant so that one modality does not wait on another (a frame's face model run no longer
// holds up the call's audio). Safe: turns still run one at a time on the activation's scheduler,
// so state changes between awaits cannot race; each modality's inputs pass through their own
// serial queue (text, audio) or latest-wins slot (frames), so a modality keeps its order and its
// clocks; result sequence numbers come from the fusion grain alone (it handles one observation at a
// time); storage writes go through one coalescing writer, never two at once; ending the call
// refuses new inputs and waits for those in progress before the call becomes Ended.
[Reentrant]
public sealed partial class CallSessionGrain(
    [PersistentState("session", CallStreams.Storage)] IPersistentState<CallSessionState> state,
    ISpeechSegmenterFactory segmenters,
    IOptions<CallSessionOptions> options,
    [FromKeyedServices(CallSessionOptions.ClockKey)] TimeProvider time,
    EmotionMetrics metrics,
    ILogger<CallSessionGrain> logger) : Grain, ICallSessionGrain, ICallIdleExpiry, ICallTimelineRetention, IStreamSubscriptionObserver
{
    private const string TimestampOutOfRange = "TimestampOutOfRange";

    private readonly CallSessionOptions _options = options.Value;
    private readonly SerialQueue _text = new();
    private readonly SerialQueue _audio = new();
    private readonly LatestWinsSlot<TimeSpan> _frames = new();
    private readonly InputsInProgress _inputs = new();
    private CoalescingWriter? _writer;

    // Changes not yet in storage (input clocks, counters): they ride along with the next write and
    // are flushed when the activation deactivates.
    private bool _dirty;
    private Task<CallStatus>? _ending;
    private DateTimeOffset _lastInputAt;
    private ITimer? _idleTimer;
    private ITimer? _retentionTimer;

    // The segmenter lives in memory only: after a reactivation speech restarts at the next chunk.
    private ISpeechSegmenter? _segmenter;
    private TimeSpan _segmenterOrigin;
    private TimeSpan _segmenterEnd;
    private long _segmenterSamples;

    // Live model context, in memory only like the segmenter (after a reactivation both restart):
    // the call's last transcript turns and each speaker's latest turn for the text model's dialogue
    // context, and the running statistics of the call's speech features for per-speaker normalisation.
    private readonly List<ImmutableArray<float>> _recentEmbeddings = [];
    private readonly Dictionary<Speaker, ImmutableArray<float>> _lastEmbeddingBySpeaker = [];
    private SpeakerFeatureStatistics? _speechStatistics;

    private string CallId => this.GetPrimaryKeyString();

    private CallSessionState Call => state.State;

    private CoalescingWriter Writer => _writer ??= new CoalescingWriter(FlushAsync);

    private IFusionGrain Fusion => GrainFactory.GetGrain<IFusionGrain>(CallId);

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Timelines stored whole (before pages) are counted here and paged by the next write.
        if (Call.ResultCount < Call.Results.Count)
        {
            Call.ResultCount = Call.Results.Count;
            Call.LastSequence = Math.Max(Call.LastSequence, Call.Results.Max(r => r.Sequence));
        }

        if (Call.State == CallState.Ended)
        {
            // The retention timer belongs to the call like the idle timer: an activation after the
            // retention has passed removes the timeline before anything else reads it.
            await RemoveTimelineIfDueAsync();
            return;
        }

        if (Call.State != CallState.Active)
        {
            return;
        }

        metrics.CallStarted();
        _lastInputAt = Call.LastInputAt ?? Call.StartedAt ?? time.GetUtcNow();
        var idleFor = time.GetUtcNow() - _lastInputAt;
        if (idleFor >= _options.IdleTimeout)
        {
            // Idle past the timeout while no activation was there to notice: it ends before any new input.
            LogIdleExpired(logger, CallId, idleFor);
            await EndOnceAsync("idle");
            return;
        }

        ArmIdleTimer(_options.IdleTimeout - idleFor);
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirty || Writer.Busy)
        {
            await Writer.WriteAsync();
        }

        if (Call.State == CallState.Active)
        {
            // No longer hosted here; a later activation counts it again.
            metrics.CallEnded();

            // The idle timer belongs to the call, not to this activation: when it fires it activates the
            // session again (OnActivateAsync ends an overdue call). Only a stopping silo takes it along.
            if (reason.ReasonCode == DeactivationReasonCode.ShuttingDown)
            {
                DisposeIdleTimer();
            }
        }
        else if (reason.ReasonCode == DeactivationReasonCode.ShuttingDown)
        {
            DisposeRetentionTimer();
        }
    }

    /// <inheritdoc />
    public async Task<CallStatus> StartCall()
    {
        switch (Call.State)
        {
            case CallState.Ended:
                throw CallEndedException.For(CallId);
            case CallState.Unknown:
                var now = time.GetUtcNow();
                Call.State = CallState.Active;
                Call.StartedAt = now;
                Call.LastInputAt = now;
                _lastInputAt = now;
                await Writer.WriteAsync();
                metrics.CallStarted();
                ArmIdleTimer(_options.IdleTimeout);
                LogStarted(logger, CallId);
                break;
        }

        return Status();
    }

    /// <inheritdoc />
    public Task<CallStatus> EndCall() => Call.State switch
    {
        CallState.Unknown => Task.FromException<CallStatus>(CallNotFoundException.For(CallId)),
        CallState.Ended => Task.FromResult(Status()),
        _ => EndOnceAsync("request"),
    };

    /// <inheritdoc />
    public async Task ExpireIfIdle()
    {
        if (Call.State != CallState.Active || _ending is not null)
        {
            return;
        }

        var idleFor = time.GetUtcNow() - _lastInputAt;
        if (_inputs.Count > 0 || idleFor < _options.IdleTimeout)
        {
            ArmIdleTimer(_inputs.Count > 0 ? _options.IdleTimeout : _options.IdleTimeout - idleFor);
            return;
        }

        LogIdleExpired(logger, CallId, idleFor);
        await EndOnceAsync("idle");
    }

    /// <inheritdoc />
    public async Task RemoveTimelineIfDue()
    {
        if (await RemoveTimelineIfDueAsync())
        {
            // Nothing of the call is left to serve but its status: the activation need not stay.
            DeactivateOnIdle();
        }
    }

    /// <inheritdoc />
    public async Task<FusedResult?> SendText(TranscriptSegment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        var arrived = Stopwatch.GetTimestamp();
        metrics.InputReceived(InputModality.Text);
        using var item = EmotionMetrics.StartMediaItem(CallId, InputModality.Text, segment.Start);
        EnsureActive(segment.CallId, InputModality.Text);
        CheckTimestamp(InputModality.Text, segment.Start, "segment start");
        CheckTimestamp(InputModality.Text, segment.End, "segment end");
        if (segment.End < segment.Start)
        {
            throw Reject(new MalformedInputException(CallId, InputModality.Text, "InvalidInterval", $"Call '{CallId}': segment ends ({segment.End}) before it starts ({segment.Start})."));
        }

        using var inProgress = Accept();
        var result = await _text.Enqueue(() => RecognizeTextAsync(segment));
        await SaveAsync(result is not null);
        if (result is not null)
        {
            metrics.RecordEventToResult(InputModality.Text, Stopwatch.GetElapsedTime(arrived));
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FusedResult>> SendAudio(AudioChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var arrived = Stopwatch.GetTimestamp();
        metrics.InputReceived(InputModality.Speech);
        using var item = EmotionMetrics.StartMediaItem(CallId, InputModality.Speech, chunk.Start);
        EnsureActive(chunk.CallId, InputModality.Speech);
        CheckTimestamp(InputModality.Speech, chunk.Start, "chunk start");
        var samples = Decode(chunk);

        // Start is in range and the decoded chunk is at most MaxChunkDuration long: no overflow.
        CheckTimestamp(InputModality.Speech, chunk.Start + chunk.Duration, "chunk end");
        using var inProgress = Accept();
        var results = await _audio.Enqueue(() => SegmentAsync(chunk, samples));
        await SaveAsync(results.Count > 0);
        var elapsed = Stopwatch.GetElapsedTime(arrived);
        foreach (var _ in results)
        {
            metrics.RecordEventToResult(InputModality.Speech, elapsed);
        }

        return results;
    }

    /// <inheritdoc />
    public async Task<FusedResult?> SendFrame(VideoFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var arrived = Stopwatch.GetTimestamp();
        metrics.InputReceived(InputModality.Face);
        using var item = EmotionMetrics.StartMediaItem(CallId, InputModality.Face, frame.Timestamp);
        EnsureActive(frame.CallId, InputModality.Face);
        CheckTimestamp(InputModality.Face, frame.Timestamp, "frame timestamp");

        // Order and rate are measured from the latest frame recognised, being recognised or waiting.
        var latest = Max(Call.LastFrame, _frames.Latest);
        if (latest is { } last && frame.Timestamp <= last)
        {
            throw Reject(new OutOfOrderTimestampException(CallId, InputModality.Face, frame.Timestamp, last + TimeSpan.FromTicks(1)));
        }

        if (latest is { } previous && frame.Timestamp - previous < _options.MinFrameInterval)
        {
            Touch();
            metrics.Refused(InputModality.Face, RefusalReason.RateLimited);
            return null;
        }

        using var inProgress = Accept();
        if (!await _frames.EnterAsync(frame.Timestamp))
        {
            // A newer frame arrived while this one waited: the face is recognised on the newest only.
            metrics.Refused(InputModality.Face, RefusalReason.Superseded);
            return null;
        }

        FusedResult? result;
        try
        {
            result = await RecognizeFrameAsync(frame);
        }
        finally
        {
            _frames.Exit();
        }

        await SaveAsync(result is not null);
        if (result is not null)
        {
            metrics.RecordEventToResult(InputModality.Face, Stopwatch.GetElapsedTime(arrived));
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<CallTimeline> GetTimeline(long fromSequence, int maxCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromSequence);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxCount, CallTimeline.MaxPageSize);
        if (Call.State == CallState.Unknown)
        {
            throw CallNotFoundException.For(CallId);
        }

        if (Call.TimelineRemovedAt is { } removedAt)
        {
            throw TimelineRemovedException.For(CallId, removedAt);
        }

        var page = ImmutableArray.CreateBuilder<FusedResult>();
        var after = fromSequence - 1;

        // Stored pages first (the index gives the page holding fromSequence), then the latest results.
        // Pages are only ever added while this reads, and a result moved meanwhile is not taken twice.
        var index = Call.Pages.BinarySearch(fromSequence);
        for (var p = Math.Max(index >= 0 ? index : ~index - 1, 0); p < Call.Pages.Count && page.Count < maxCount; p++)
        {
            var stored = await GrainFactory.GetGrain<ICallTimelinePageGrain>(CallTimelines.PageKey(CallId, p)).Read();
            Take(stored);
        }

        Take(Call.Results);
        var next = page.Count == maxCount && page[^1].Sequence < Call.LastSequence ? page[^1].Sequence + 1 : (long?)null;
        return new CallTimeline(CallId, Call.State, page.ToImmutable(), next);

        void Take(IEnumerable<FusedResult> results)
        {
            foreach (var result in results)
            {
                if (page.Count == maxCount)
                {
                    return;
                }

                if (result.Sequence > after)
                {
                    page.Add(result);
                    after = result.Sequence;
                }
            }
        }
    }

    /// <inheritdoc />
    public Task<CallStatus> GetStatus() => Task.FromResult(Status());

    /// <inheritdoc />
    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory)
    {
        ArgumentNullException.ThrowIfNull(handleFactory);
        switch (handleFactory.StreamId.GetNamespace())
        {
            case CallStreams.Text:
                await handleFactory.Create<TranscriptSegment>().ResumeAsync((segment, _) => FromStreamAsync(() => SendText(segment)));
                break;
            case CallStreams.Audio:
                await handleFactory.Create<AudioChunk>().ResumeAsync((chunk, _) => FromStreamAsync(() => SendAudio(chunk)));
                break;
            case CallStreams.Frames:
                await handleFactory.Create<VideoFrame>().ResumeAsync((frame, _) => FrameFromStream(frame));
                break;
        }
    }

    // A streamed input has no caller to answer: a refused one is logged and counted, and the stream goes on.
    private async Task FromStreamAsync(Func<Task> send)
    {
        try
        {
            await send();
        }
        catch (CallException e)
        {
            LogStreamedInputRefused(logger, CallId, e.Message);
        }
    }

    // A streamed frame is not awaited: the stream would hand over the next frame only once this one's
    // face run ended, so under load frames would queue in the stream and admission control (latest
    // frame wins) would never see two at once. SendFrame's checks, its admission and its place in the
    // call's frame order are taken before its first await, so order is kept; the frame counts as in
    // progress (ending the call waits for it) and a refusal is logged as for any streamed input.
    private Task FrameFromStream(VideoFrame frame)
    {
        _ = RecognizeStreamedFrameAsync(frame);
        return Task.CompletedTask;
    }

    private async Task RecognizeStreamedFrameAsync(VideoFrame frame)
    {
        try
        {
            await FromStreamAsync(() => SendFrame(frame));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Nobody awaits it (a worker timed out, a silo left): logged; the call's next frame goes on.
            LogStreamedFrameFailed(logger, CallId, frame.Timestamp, e);
        }
    }

    // The one way a call ends (on request or when idle); a second request waits for the first.
    private Task<CallStatus> EndOnceAsync(string cause) => _ending ??= EndAsync(cause);

    private async Task<CallStatus> EndAsync(string cause)
    {
        try
        {
            // From here on inputs are refused (EnsureActive); those already accepted finish first.
            await _inputs.WhenIdleAsync();
            if (_segmenter is { } segmenter)
            {
                _segmenter = null;
                await RecognizeSpeechAsync(segmenter.Flush(), _segmenterOrigin);
            }

            // The one place where a call becomes Ended.
            Call.State = CallState.Ended;
            Call.EndedAt = time.GetUtcNow();
            await Writer.WriteAsync();
            metrics.CallEnded();
            DisposeIdleTimer();
            ArmRetentionTimer(_options.EndedCallRetention);
            await Fusion.Complete();
            LogEnded(logger, CallId, cause, Call.ResultCount);

            // Followers of the results (SSE, clients) close on this: the call's last word.
            await this.GetStreamProvider(CallStreams.Provider).GetStream<CallStatus>(StreamId.Create(CallStreams.Status, CallId)).OnNextAsync(Status());
            return Status();
        }
        catch
        {
            // Not ended (e.g. storage failed): a later request may try again.
            if (Call.State != CallState.Ended)
            {
                _ending = null;
            }

            throw;
        }
    }

    private async Task<FusedResult?> RecognizeTextAsync(TranscriptSegment segment)
    {
        if (Call.LastTextStart is { } last && segment.Start < last)
        {
            throw Reject(new OutOfOrderTimestampException(CallId, InputModality.Text, segment.Start, last));
        }

        TextRecognitionResult recognized;
        try
        {
            // The previous turns go as the embeddings their own answers carried: each turn is embedded once.
            var speakerPrevious = _lastEmbeddingBySpeaker.GetValueOrDefault(segment.Speaker);
            recognized = await GrainFactory.GetGrain<ITextWorkerGrain>(0).RecognizeAfter(CallId, segment.Text ?? "", [.. _recentEmbeddings], speakerPrevious);
        }
        catch (MalformedInputException e)
        {
            throw Reject(e);
        }

        Call.LastTextStart = segment.Start;
        _recentEmbeddings.Add(recognized.Embedding);
        _lastEmbeddingBySpeaker[segment.Speaker] = recognized.Embedding;
        if (_recentEmbeddings.Count > DialogueContext.DefaultTurns)
        {
            _recentEmbeddings.RemoveAt(0);
        }

        return await ObserveAsync(new ModalityObservation(InputModality.Text, recognized.Logits, segment.Start, segment.End, UtteranceEnd: true, segment.Speaker, segment.Text, recognized.Embedding));
    }

    private async Task<IReadOnlyList<FusedResult>> SegmentAsync(AudioChunk chunk, float[] samples)
    {
        if (Call.AudioEnd is { } end && chunk.Start < end - TimeSpan.FromMilliseconds(1))
        {
            throw Reject(new OutOfOrderTimestampException(CallId, InputModality.Speech, chunk.Start, end));
        }

        List<FusedResult> results = [];
        if (_segmenter is { } held && chunk.Start - _segmenterEnd > _options.MaxAudioGap)
        {
            // A long gap (a call on hold) is not filled with silence: the speech before it is
            // recognised and segmentation starts again at this chunk.
            LogAudioResumed(logger, CallId, chunk.Start - _segmenterEnd);
            _segmenter = null;
            results.AddRange(await RecognizeSpeechAsync(held.Flush(), _segmenterOrigin));
        }

        if (_segmenter is null)
        {
            _segmenter = segmenters.Create();
            _segmenterOrigin = chunk.Start;
            _segmenterEnd = chunk.Start;
            _segmenterSamples = 0;
        }

        // A gap between chunks is heard as silence so the segmenter's clock stays the call's clock;
        // counting samples fed (not chunk durations) keeps resampled audio from drifting.
        var gapSamples = PcmAudio.Samples(chunk.Start - _segmenterOrigin) - _segmenterSamples;
        List<SpeechSegment> segments = gapSamples > 0 ? [.. await _segmenter.PushAsync(new float[gapSamples])] : [];
        segments.AddRange(await _segmenter.PushAsync(samples));
        _segmenterSamples += Math.Max(gapSamples, 0) + samples.Length;
        _segmenterEnd = chunk.Start + chunk.Duration;
        Call.AudioEnd = chunk.Start + chunk.Duration;
        results.AddRange(await RecognizeSpeechAsync(segments, _segmenterOrigin));
        return results;
    }

    private async Task<FusedResult?> RecognizeFrameAsync(VideoFrame frame)
    {
        FaceResult face;
        try
        {
            face = await GrainFactory.GetGrain<IFaceWorkerGrain>(0).Recognize(CallId, frame.Image ?? []);
        }
        catch (MalformedInputException e)
        {
            throw Reject(e);
        }

        Call.LastFrame = frame.Timestamp;

        // A frame without a face is evidence too: the face modality is absent from now on.
        return await ObserveAsync(new ModalityObservation(InputModality.Face, face.Logits, frame.Timestamp, frame.Timestamp, UtteranceEnd: false));
    }

    private async Task<IReadOnlyList<FusedResult>> RecognizeSpeechAsync(IReadOnlyList<SpeechSegment> segments, TimeSpan origin)
    {
        List<FusedResult> results = [];
        foreach (var segment in segments)
        {
            ClassLogits logits;
            try
            {
                var recognized = await GrainFactory.GetGrain<ISpeechWorkerGrain>(0).Recognize(CallId, segment.Samples, _speechStatistics);
                logits = recognized.Logits;
                _speechStatistics = recognized.Speaker ?? _speechStatistics;
            }
            catch (MalformedInputException e)
            {
                // The chunk was valid; a segment the recognizer refuses (e.g. too short) is skipped.
                metrics.Refused(InputModality.Speech, RefusalReason.SegmentSkipped);
                LogSegmentSkipped(logger, CallId, segment.Start, e.Message);
                continue;
            }

            var observation = new ModalityObservation(
                InputModality.Speech, logits, origin + segment.Start, origin + segment.End, segment.EndOfUtterance);
            if (await ObserveAsync(observation) is { } result)
            {
                results.Add(result);
            }
        }

        return results;
    }

    private async Task<FusedResult?> ObserveAsync(ModalityObservation observation)
    {
        // The fusion grain numbers results, one observation at a time; the floor carries the
        // numbering over a reactivation of the fusion grain.
        var result = await Fusion.Observe(observation, Call.LastSequence + 1);
        if (result is not null)
        {
            // Answers normally come back in sequence order; one that overtook another still lands in place.
            var at = Call.Results.Count;
            while (at > 0 && Call.Results[at - 1].Sequence > result.Sequence)
            {
                at--;
            }

            Call.Results.Insert(at, result);
            Call.ResultCount++;
            Call.LastSequence = Math.Max(Call.LastSequence, result.Sequence);
            _dirty = true;
        }

        return result;
    }

    // 16 kHz float samples; other rates are resampled. Whatever PcmAudio refuses (rate, empty, odd
    // byte count, too long) is refused here with its reason, before the call changes.
    private float[] Decode(AudioChunk chunk)
    {
        try
        {
            return PcmAudio.FromPcm16(chunk.Pcm16 ?? [], chunk.SampleRate, _options.MaxChunkDuration);
        }
        catch (InvalidInputException e)
        {
            throw Reject(e.ToMalformed(CallId));
        }
    }

    private void EnsureActive(string? inputCallId, InputModality modality)
    {
        switch (Call.State)
        {
            case CallState.Unknown:
                metrics.Refused(modality, RefusalReason.CallNotFound);
                throw CallNotFoundException.For(CallId);
            case CallState.Ended:
            case CallState.Active when _ending is not null:
                metrics.Refused(modality, RefusalReason.CallEnded);
                throw CallEndedException.For(CallId);
        }

        if (!string.Equals(inputCallId, CallId, StringComparison.Ordinal))
        {
            throw Reject(new MalformedInputException(CallId, modality, "CallIdMismatch", $"Input for call '{inputCallId}' was sent to call '{CallId}'."));
        }
    }

    // Checked before any arithmetic on the timestamp, so call-time sums cannot overflow.
    private void CheckTimestamp(InputModality modality, TimeSpan at, string what)
    {
        if (at < TimeSpan.Zero || at > _options.MaxCallDuration)
        {
            throw Reject(new MalformedInputException(
                CallId, modality, TimestampOutOfRange, $"Call '{CallId}': {what} {at} is outside the call's time, 0 to {_options.MaxCallDuration}."));
        }
    }

    // An input that passed its checks: it counts as activity and ending the call waits for it.
    private InputsInProgress.Scope Accept()
    {
        Touch();
        return _inputs.Enter();
    }

    private void Touch()
    {
        _lastInputAt = time.GetUtcNow();
        Call.LastInputAt = _lastInputAt;
        _dirty = true;
    }

    private CallException Reject(CallException error)
    {
        // Counted in memory; stored with the next write.
        Call.RejectedInputs++;
        _dirty = true;
        metrics.Refused(error switch { MalformedInputException m => m.Modality, OutOfOrderTimestampException o => o.Modality, _ => InputModality.Text }, error);
        LogRejected(logger, CallId, error.Message);
        return error;
    }

    // Storage is written when the timeline grows (writes coalesce: at most one in flight), not for
    // every chunk or frame: input clocks and counters ride along, and are flushed on deactivation.
    private Task SaveAsync(bool timelineGrew) => timelineGrew ? Writer.WriteAsync() : Task.CompletedTask;

    // The coalescing writer's write: full pages go to their own page grains (each written once), then
    // the session's state with only the latest results.
    private async Task FlushAsync()
    {
        _dirty = false;
        var pageSize = _options.TimelinePageSize;
        while (Call.Results.Count >= pageSize)
        {
            var page = Call.Results.GetRange(0, pageSize).ToImmutableArray();
            await GrainFactory.GetGrain<ICallTimelinePageGrain>(CallTimelines.PageKey(CallId, Call.Pages.Count)).Write(page);

            // Moved only once stored: a failed page write leaves the results in the session's state
            // (and a page written again after a crash is written whole, with the same results).
            var moved = page.Select(r => r.Sequence).ToHashSet();
            Call.Results.RemoveAll(r => moved.Contains(r.Sequence));
            Call.Pages.Add(page[0].Sequence);
        }

        await state.WriteStateAsync();
    }

    private void ArmIdleTimer(TimeSpan due)
    {
        if (_idleTimer is null)
        {
            // The callback runs off the activation: it only calls the session, which checks and acts in a turn.
            var self = this.AsReference<ICallIdleExpiry>();
            var (log, callId) = (logger, CallId);
            _idleTimer = time.CreateTimer(_ => _ = CheckIdleAsync(self, log, callId), null, due, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _idleTimer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private void DisposeIdleTimer()
    {
        _idleTimer?.Dispose();
        _idleTimer = null;
    }

    // Removes the timeline once the retention after the end has passed (true), else arms the timer for the rest.
    private async Task<bool> RemoveTimelineIfDueAsync()
    {
        if (Call.State != CallState.Ended || Call.TimelineRemovedAt is not null || Call.EndedAt is not { } endedAt)
        {
            DisposeRetentionTimer();
            return false;
        }

        var due = endedAt + _options.EndedCallRetention - time.GetUtcNow();
        if (due > TimeSpan.Zero)
        {
            ArmRetentionTimer(due);
            return false;
        }

        // Pages first: a failure leaves the session's page index, so a later check removes the rest.
        for (var p = 0; p < Call.Pages.Count; p++)
        {
            await GrainFactory.GetGrain<ICallTimelinePageGrain>(CallTimelines.PageKey(CallId, p)).Remove();
        }

        Call.Results.Clear();
        Call.Pages.Clear();
        Call.TimelineRemovedAt = time.GetUtcNow();
        await Writer.WriteAsync();
        DisposeRetentionTimer();
        LogTimelineRemoved(logger, CallId, Call.ResultCount, _options.EndedCallRetention);
        return true;
    }

    private void ArmRetentionTimer(TimeSpan due)
    {
        if (_retentionTimer is null)
        {
            // Like the idle timer, it runs off the activation and calls the session, which checks in a turn.
            var self = this.AsReference<ICallTimelineRetention>();
            var (log, callId) = (logger, CallId);
            _retentionTimer = time.CreateTimer(_ => _ = CheckRetentionAsync(self, log, callId), null, due, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _retentionTimer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private void DisposeRetentionTimer()
    {
        _retentionTimer?.Dispose();
        _retentionTimer = null;
    }

    private static async Task CheckRetentionAsync(ICallTimelineRetention call, ILogger logger, string callId)
    {
        try
        {
            await call.RemoveTimelineIfDue();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Nobody awaits a timer: the failure is logged, and the next activation checks again.
            LogRetentionCheckFailed(logger, callId, e);
        }
    }

    private static async Task CheckIdleAsync(ICallIdleExpiry call, ILogger logger, string callId)
    {
        try
        {
            await call.ExpireIfIdle();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Nobody awaits a timer: the failure is logged, and the next input or activation checks again.
            LogIdleCheckFailed(logger, callId, e);
        }
    }

    private static TimeSpan? Max(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private CallStatus Status() => new(CallId, Call.State, Call.StartedAt, Call.EndedAt, Call.ResultCount, Call.RejectedInputs, RuntimeIdentity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} started.")]
    private static partial void LogStarted(ILogger logger, string callId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} ended ({Cause}) with {ResultCount} results.")]
    private static partial void LogEnded(ILogger logger, string callId, string cause, int resultCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} had no input for {IdleFor}: ending it.")]
    private static partial void LogIdleExpired(ILogger logger, string callId, TimeSpan idleFor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: timeline of {ResultCount} results removed, {Retention} after the call ended.")]
    private static partial void LogTimelineRemoved(ILogger logger, string callId, int resultCount, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: timeline retention check failed.")]
    private static partial void LogRetentionCheckFailed(ILogger logger, string callId, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: idle check failed.")]
    private static partial void LogIdleCheckFailed(ILogger logger, string callId, Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: audio resumes after a gap of {Gap}: speech segmentation restarts.")]
    private static partial void LogAudioResumed(ILogger logger, string callId, TimeSpan gap);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: input refused: {Reason}")]
    private static partial void LogRejected(ILogger logger, string callId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: streamed input refused: {Reason}")]
    private static partial void LogStreamedInputRefused(ILogger logger, string callId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: streamed frame at {Timestamp} failed.")]
    private static partial void LogStreamedFrameFailed(ILogger logger, string callId, TimeSpan timestamp, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: speech segment at {Start} skipped: {Reason}")]
    private static partial void LogSegmentSkipped(ILogger logger, string callId, TimeSpan start, string reason);
}
