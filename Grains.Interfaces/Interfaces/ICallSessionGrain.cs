namespace Emotion.Orleans.Grains;

/// <summary>
/// One call (key: call id). Takes transcript segments, audio and frames either through these
/// methods or through the call's input streams (<see cref="CallStreams"/>), checks them, sends
/// them to the inference workers and keeps the timeline of fused results.
/// </summary>
[Alias("emotion.call-session")]
public interface ICallSessionGrain : IGrainWithStringKey
{
    /// <summary>Starts the call; starting an active call again returns its status.</summary>
    /// <exception cref="CallEndedException">The call already ended.</exception>
    [Alias("start")]
    Task<CallStatus> StartCall();

    /// <summary>
    /// Ends the call: inputs are refused from now on, those in progress finish, the audio still
    /// buffered is recognised and the timeline is stored. A call idle for <c>Calls:IdleTimeout</c> ends by itself.
    /// </summary>
    /// <exception cref="CallNotFoundException">The call was never started.</exception>
    [Alias("end")]
    Task<CallStatus> EndCall();

    /// <summary>Takes a transcript segment and returns the fused result it produced.</summary>
    /// <exception cref="CallNotFoundException">The call was never started.</exception>
    /// <exception cref="CallEndedException">The call has ended.</exception>
    /// <exception cref="MalformedInputException">The text cannot be recognised, or a timestamp is negative or past the longest call (<c>TimestampOutOfRange</c>).</exception>
    /// <exception cref="OutOfOrderTimestampException">The segment starts before the previous one.</exception>
    [Alias("text")]
    Task<FusedResult?> SendText(TranscriptSegment segment);

    /// <summary>Takes an audio chunk; returns the fused results of the utterances it completed.</summary>
    /// <param name="chunk">
    /// The chunk. Marked immutable: the session never writes to it and a caller must not change its
    /// samples once sent, so a call from inside the silo (the HTTP API, an embedded client) hands the
    /// samples over instead of copying them.
    /// </param>
    /// <exception cref="CallNotFoundException">The call was never started.</exception>
    /// <exception cref="CallEndedException">The call has ended.</exception>
    /// <exception cref="MalformedInputException">Wrong sample rate, odd byte count, empty or too long, or a timestamp is negative or past the longest call (<c>TimestampOutOfRange</c>).</exception>
    /// <exception cref="OutOfOrderTimestampException">The chunk starts before the end of the previous one.</exception>
    [Alias("audio")]
    Task<IReadOnlyList<FusedResult>> SendAudio([Immutable] AudioChunk chunk);

    /// <summary>
    /// Takes a video frame; returns the fused result when the cadence allows one. While one of the
    /// call's frames is being recognised only the latest frame waits: an older waiting frame is
    /// superseded, and a frame closer than <c>1 / Calls:MaxFaceRate</c> to the previous one is
    /// skipped; both are answered with no result.
    /// </summary>
    /// <param name="frame">
    /// The frame. Marked immutable like <see cref="SendAudio"/>'s chunk: the image bytes are handed
    /// over, not copied, by a call from inside the silo, so a caller must not change them once sent.
    /// </param>
    /// <exception cref="CallNotFoundException">The call was never started.</exception>
    /// <exception cref="CallEndedException">The call has ended.</exception>
    /// <exception cref="MalformedInputException">The image cannot be decoded, or its timestamp is negative or past the longest call (<c>TimestampOutOfRange</c>).</exception>
    /// <exception cref="OutOfOrderTimestampException">The frame is not later than the previous one.</exception>
    [Alias("frame")]
    Task<FusedResult?> SendFrame([Immutable] VideoFrame frame);

    /// <summary>
    /// A page of the fused results so far: those numbered <paramref name="fromSequence"/> or later,
    /// at most <paramref name="maxCount"/> of them; <see cref="CallTimeline.Next"/> says where the
    /// next page starts. <see cref="CallTimelines.ReadAllAsync"/> reads every page.
    /// </summary>
    /// <param name="fromSequence">First sequence number wanted (0 or 1: from the start).</param>
    /// <param name="maxCount">Most results in the page, 1 to <see cref="CallTimeline.MaxPageSize"/>.</param>
    /// <exception cref="CallNotFoundException">The call was never started.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fromSequence"/> is negative or <paramref name="maxCount"/> outside 1 to <see cref="CallTimeline.MaxPageSize"/>.</exception>
    [Alias("timeline-page")]
    Task<CallTimeline> GetTimeline(long fromSequence, int maxCount);

    /// <summary>State and counters (an unknown call reports <see cref="CallState.Unknown"/>).</summary>
    [Alias("status")]
    Task<CallStatus> GetStatus();
}
