namespace Emotion.Orleans.Grains;

/// <summary>Limits a call session applies to its inputs (configuration section <c>Calls</c>).</summary>
public sealed class CallSessionOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Calls";

    /// <summary>
    /// Service key of the wall clock that stamps call start and end and times idle calls out (a keyed
    /// <see cref="TimeProvider"/>, so tests can set it without stopping the silo's own timers).
    /// </summary>
    public const string ClockKey = "calls.clock";

    /// <summary>Longest audio chunk accepted in one message.</summary>
    public TimeSpan MaxChunkDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Longest silence inserted for a gap between audio chunks. After a longer gap (a call on hold)
    /// the speech buffered so far is recognised and segmentation starts again at the new chunk.
    /// </summary>
    public TimeSpan MaxAudioGap { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Latest call time an input may carry; later (or negative) timestamps are refused as <c>TimestampOutOfRange</c>.</summary>
    public TimeSpan MaxCallDuration { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Most video frames per second of call time sent to face recognition; frames closer together are skipped.</summary>
    public double MaxFaceRate { get; set; } = 5;

    /// <summary>An active call without inputs for this long (on the call clock) is ended.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Results per timeline page: the session keeps fewer than this many of the latest results in
    /// its own state and stores each full page once, on its own.
    /// </summary>
    public int TimelinePageSize { get; set; } = 100;

    /// <summary>
    /// How long an ended call's timeline stays in storage; then its results are removed (its status
    /// and counts stay, and reading its timeline answers that it was removed).
    /// </summary>
    public TimeSpan EndedCallRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Shortest call time between two frames sent to face recognition (from <see cref="MaxFaceRate"/>).</summary>
    public TimeSpan MinFrameInterval => TimeSpan.FromSeconds(1 / MaxFaceRate);
}
