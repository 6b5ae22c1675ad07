namespace Emotion.Orleans.Grains;

/// <summary>Names of the stream provider and namespaces of a call's streams; the stream key is the call id.</summary>
public static class CallStreams
{
    /// <summary>Stream provider name (memory streams embedded, configured on silos and clients).</summary>
    public const string Provider = "calls";

    /// <summary>Grain storage that Orleans' stream pub-sub needs.</summary>
    public const string PubSubStore = "PubSubStore";

    /// <summary>Grain storage of call sessions.</summary>
    public const string Storage = "calls";

    /// <summary>Transcript segments in (<see cref="TranscriptSegment"/>).</summary>
    public const string Text = "calls.text";

    /// <summary>Audio chunks in (<see cref="AudioChunk"/>).</summary>
    public const string Audio = "calls.audio";

    /// <summary>Video frames in (<see cref="VideoFrame"/>).</summary>
    public const string Frames = "calls.frames";

    /// <summary>Fused results out (<see cref="FusedResult"/>).</summary>
    public const string Results = "results";

    /// <summary>
    /// The call's final <see cref="CallStatus"/> (state <see cref="CallState.Ended"/>), published once
    /// when the call ends, so followers of <see cref="Results"/> know no more results come. Its
    /// <see cref="CallStatus.ResultCount"/> is the sequence number of the last result.
    /// </summary>
    public const string Status = "calls.status";
}
