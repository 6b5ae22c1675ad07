namespace Emotion.Orleans.Grains;

/// <summary>Limits a call session applies to its inputs (configuration section <c>Calls</c>).</summary>
public sealed class CallSessionOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Calls";

    /// <summary>
    /// Service key of the wall clock that stamps call start and end (a keyed <see cref="TimeProvider"/>,
    /// so tests can set it without stopping the silo's own timers).
    /// </summary>
    public const string ClockKey = "calls.clock";

    /// <summary>Longest audio chunk accepted in one message.</summary>
    public TimeSpan MaxChunkDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest silence inserted for a gap between audio chunks; a longer gap is refused as out of order.</summary>
    public TimeSpan MaxAudioGap { get; set; } = TimeSpan.FromSeconds(30);
}
