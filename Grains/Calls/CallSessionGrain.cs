using System.Diagnostics;
using Emotion.Orleans.Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Emotion.Orleans.Grains;

/// <summary>
/// One call. Inputs come as direct calls or on the call's input streams (implicitly subscribed);
/// each is checked (state, order, format) before anything changes, so a refused input leaves the
/// call as it was.
/// </summary>
[ImplicitStreamSubscription(CallStreams.Text)]
[ImplicitStreamSubscription(CallStreams.Audio)]
[ImplicitStreamSubscription(CallStreams.Frames)]
public sealed partial class CallSessionGrain(
    [PersistentState("session", CallStreams.Storage)] IPersistentState<CallSessionState> state,
    ISpeechSegmenterFactory segmenters,
    IOptions<CallSessionOptions> options,
    [FromKeyedServices(CallSessionOptions.ClockKey)] TimeProvider time,
    EmotionMetrics metrics,
    ILogger<CallSessionGrain> logger) : Grain, ICallSessionGrain, IStreamSubscriptionObserver
{
    private readonly CallSessionOptions _options = options.Value;

    // The segmenter lives in memory only: after a reactivation speech restarts at the next chunk.
    private ISpeechSegmenter? _segmenter;
    private TimeSpan _segmenterOrigin;
    private TimeSpan _segmenterEnd;
    private long _segmenterSamples;

    // Live model context, in memory only like the segmenter (after a reactivation both restart):
    // the call's last transcript turns for the text model's dialogue context, and the running
    // statistics of the call's speech features for per-speaker normalisation.
    private readonly List<string> _recentTexts = [];
    private SpeakerFeatureStatistics? _speechStatistics;

    private string CallId => this.GetPrimaryKeyString();

    private CallSessionState Call => state.State;

    /// <inheritdoc />
    public async Task<CallStatus> StartCall()
    {
        switch (Call.State)
        {
            case CallState.Ended:
                throw CallEndedException.For(CallId);
            case CallState.Unknown:
                Call.State = CallState.Active;
                Call.StartedAt = time.GetUtcNow();
                await state.WriteStateAsync();
                metrics.CallStarted();
                LogStarted(logger, CallId);
                break;
        }

        return Status();
    }

    /// <inheritdoc />
    public async Task<CallStatus> EndCall()
    {
        switch (Call.State)
        {
            case CallState.Unknown:
                throw CallNotFoundException.For(CallId);
            case CallState.Active:
                if (_segmenter is { } segmenter)
                {
                    await RecognizeSpeechAsync(segmenter.Flush());
                    _segmenter = null;
                }

                Call.State = CallState.Ended;
                Call.EndedAt = time.GetUtcNow();
                await state.WriteStateAsync();
                metrics.CallEnded();
                await GrainFactory.GetGrain<IFusionGrain>(CallId).Complete();
                LogEnded(logger, CallId, Call.Results.Count);
                break;
        }

        return Status();
    }

    /// <inheritdoc />
    public async Task<FusedResult?> SendText(TranscriptSegment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        var arrived = Stopwatch.GetTimestamp();
        metrics.InputReceived(InputModality.Text);
        using var item = EmotionMetrics.StartMediaItem(CallId, InputModality.Text, segment.Start);
        await EnsureActiveAsync(segment.CallId, InputModality.Text);
        if (segment.End < segment.Start)
        {
            throw await RejectAsync(new MalformedInputException(CallId, InputModality.Text, "InvalidInterval", $"Call '{CallId}': segment ends ({segment.End}) before it starts ({segment.Start})."));
        }

        if (Call.LastTextStart is { } last && segment.Start < last)
        {
            throw await RejectAsync(new OutOfOrderTimestampException(CallId, InputModality.Text, segment.Start, last));
        }

        ClassLogits logits;
        try
        {
            logits = await GrainFactory.GetGrain<ITextWorkerGrain>(0).Recognize(CallId, segment.Text ?? "", [.. _recentTexts]);
        }
        catch (MalformedInputException e)
        {
            throw await RejectAsync(e);
        }

        Call.LastTextStart = segment.Start;
        _recentTexts.Add(segment.Text ?? "");
        if (_recentTexts.Count > DialogueContext.DefaultTurns)
        {
            _recentTexts.RemoveAt(0);
        }

        var result = await ObserveAsync(new ModalityObservation(InputModality.Text, logits, segment.Start, segment.End, UtteranceEnd: true, segment.Speaker, segment.Text));
        await SaveIfChangedAsync(result is not null);
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
        await EnsureActiveAsync(chunk.CallId, InputModality.Speech);
        var samples = await DecodeAsync(chunk);
        if (Call.AudioEnd is { } end && chunk.Start < end - TimeSpan.FromMilliseconds(1))
        {
            throw await RejectAsync(new OutOfOrderTimestampException(CallId, InputModality.Speech, chunk.Start, end));
        }

        if (_segmenter is not null && chunk.Start - _segmenterEnd > _options.MaxAudioGap)
        {
            throw await RejectAsync(new MalformedInputException(CallId, InputModality.Speech, "GapTooLong", $"Call '{CallId}': audio resumes {chunk.Start - _segmenterEnd} after the previous chunk; at most {_options.MaxAudioGap} of silence is filled in."));
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
        List<SpeechSegment> segments = gapSamples > 0 ? [.. _segmenter.Push(new float[gapSamples])] : [];
        segments.AddRange(_segmenter.Push(samples));
        _segmenterSamples += Math.Max(gapSamples, 0) + samples.Length;
        _segmenterEnd = chunk.Start + chunk.Duration;
        Call.AudioEnd = chunk.Start + chunk.Duration;
        var results = await RecognizeSpeechAsync(segments);
        await SaveIfChangedAsync(results.Count > 0);
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
        await EnsureActiveAsync(frame.CallId, InputModality.Face);
        if (Call.LastFrame is { } last && frame.Timestamp <= last)
        {
            throw await RejectAsync(new OutOfOrderTimestampException(CallId, InputModality.Face, frame.Timestamp, last + TimeSpan.FromTicks(1)));
        }

        FaceResult face;
        try
        {
            face = await GrainFactory.GetGrain<IFaceWorkerGrain>(0).Recognize(CallId, frame.Image ?? []);
        }
        catch (MalformedInputException e)
        {
            throw await RejectAsync(e);
        }

        Call.LastFrame = frame.Timestamp;

        // A frame without a face is evidence too: the face modality is absent from now on.
        var result = await ObserveAsync(new ModalityObservation(InputModality.Face, face.Logits, frame.Timestamp, frame.Timestamp, UtteranceEnd: false));
        await SaveIfChangedAsync(result is not null);
        if (result is not null)
        {
            metrics.RecordEventToResult(InputModality.Face, Stopwatch.GetElapsedTime(arrived));
        }

        return result;
    }

    /// <inheritdoc />
    public Task<CallTimeline> GetTimeline() =>
        Call.State == CallState.Unknown
            ? Task.FromException<CallTimeline>(CallNotFoundException.For(CallId))
            : Task.FromResult(new CallTimeline(CallId, Call.State, [.. Call.Results]));

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
                await handleFactory.Create<VideoFrame>().ResumeAsync((frame, _) => FromStreamAsync(() => SendFrame(frame)));
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

    private async Task<IReadOnlyList<FusedResult>> RecognizeSpeechAsync(IReadOnlyList<SpeechSegment> segments)
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
                InputModality.Speech, logits, _segmenterOrigin + segment.Start, _segmenterOrigin + segment.End, segment.EndOfUtterance);
            if (await ObserveAsync(observation) is { } result)
            {
                results.Add(result);
            }
        }

        return results;
    }

    private async Task<FusedResult?> ObserveAsync(ModalityObservation observation)
    {
        var result = await GrainFactory.GetGrain<IFusionGrain>(CallId).Observe(observation, Call.Results.Count + 1);
        if (result is not null)
        {
            Call.Results.Add(result);
        }

        return result;
    }

    // 16 kHz float samples; other rates are resampled. Whatever PcmAudio refuses (rate, empty, odd
    // byte count, too long) is refused here with its reason, before the call changes.
    private async Task<float[]> DecodeAsync(AudioChunk chunk)
    {
        try
        {
            return PcmAudio.FromPcm16(chunk.Pcm16 ?? [], chunk.SampleRate, _options.MaxChunkDuration);
        }
        catch (InvalidInputException e)
        {
            throw await RejectAsync(e.ToMalformed(CallId));
        }
    }

    private async Task EnsureActiveAsync(string? inputCallId, InputModality modality)
    {
        switch (Call.State)
        {
            case CallState.Unknown:
                metrics.Refused(modality, RefusalReason.CallNotFound);
                throw CallNotFoundException.For(CallId);
            case CallState.Ended:
                metrics.Refused(modality, RefusalReason.CallEnded);
                throw CallEndedException.For(CallId);
        }

        if (!string.Equals(inputCallId, CallId, StringComparison.Ordinal))
        {
            throw await RejectAsync(new MalformedInputException(CallId, modality, "CallIdMismatch", $"Input for call '{inputCallId}' was sent to call '{CallId}'."));
        }
    }

    private Task<CallException> RejectAsync(CallException error)
    {
        // Counted in memory; stored with the next result or state change.
        Call.RejectedInputs++;
        metrics.Refused(error switch { MalformedInputException m => m.Modality, OutOfOrderTimestampException o => o.Modality, _ => InputModality.Text }, error);
        LogRejected(logger, CallId, error.Message);
        return Task.FromResult(error);
    }

    // Storage is written when the timeline grows, not for every chunk or frame: the input clocks
    // and counters ride along with those writes (after a silo failure they may lag a little).
    private async Task SaveIfChangedAsync(bool timelineGrew)
    {
        if (timelineGrew)
        {
            await state.WriteStateAsync();
        }
    }

    private CallStatus Status() => new(CallId, Call.State, Call.StartedAt, Call.EndedAt, Call.Results.Count, Call.RejectedInputs, RuntimeIdentity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} started.")]
    private static partial void LogStarted(ILogger logger, string callId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} ended with {ResultCount} results.")]
    private static partial void LogEnded(ILogger logger, string callId, int resultCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: input refused: {Reason}")]
    private static partial void LogRejected(ILogger logger, string callId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: streamed input refused: {Reason}")]
    private static partial void LogStreamedInputRefused(ILogger logger, string callId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: speech segment at {Start} skipped: {Reason}")]
    private static partial void LogSegmentSkipped(ILogger logger, string callId, TimeSpan start, string reason);
}
