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

    /// <summary>Ends the call: the audio still buffered is recognised, then inputs are refused.</summary>
    /// <exception cref="CallNotFoundException">The call was never started.</exception>
    [Alias("end")]
    Task<CallStatus> EndCall();

    /// <summary>Takes a transcript segment and returns the fused result it produced.</summary>
    /// <exception cref="CallNotFoundException">The call was never started.</exception>
    /// <exception cref="CallEndedException">The call has ended.</exception>
    /// <exception cref="MalformedInputException">The text cannot be recognised.</exception>
    /// <exception cref="OutOfOrderTimestampException">The segment starts before the previous one.</exception>
    [Alias("text")]
    Task<FusedResult?> SendText(TranscriptSegment segment);

    /// <summary>Takes an audio chunk; returns the fused results of the utterances it completed.</summary>
    /// <exception cref="CallNotFoundException">The call was never started.</exception>
    /// <exception cref="CallEndedException">The call has ended.</exception>
    /// <exception cref="MalformedInputException">Wrong sample rate, odd byte count, empty or too long.</exception>
    /// <exception cref="OutOfOrderTimestampException">The chunk starts before the end of the previous one.</exception>
    [Alias("audio")]
    Task<IReadOnlyList<FusedResult>> SendAudio(AudioChunk chunk);

    /// <summary>Takes a video frame; returns the fused result when the cadence allows one.</summary>
    /// <exception cref="CallNotFoundException">The call was never started.</exception>
    /// <exception cref="CallEndedException">The call has ended.</exception>
    /// <exception cref="MalformedInputException">The image cannot be decoded.</exception>
    /// <exception cref="OutOfOrderTimestampException">The frame is not later than the previous one.</exception>
    [Alias("frame")]
    Task<FusedResult?> SendFrame(VideoFrame frame);

    /// <summary>The fused results so far.</summary>
    /// <exception cref="CallNotFoundException">The call was never started.</exception>
    [Alias("timeline")]
    Task<CallTimeline> GetTimeline();

    /// <summary>State and counters (an unknown call reports <see cref="CallState.Unknown"/>).</summary>
    [Alias("status")]
    Task<CallStatus> GetStatus();
}
