namespace Emotion.Orleans.Grains;

/// <summary>Why an input was refused or dropped (metric label <c>reason</c>; a small fixed set).</summary>
public enum RefusalReason
{
    /// <summary>The input was malformed (format, size, sample rate, call id mismatch).</summary>
    Malformed = 0,

    /// <summary>The input's timestamp was behind the call's.</summary>
    OutOfOrder = 1,

    /// <summary>The call had ended.</summary>
    CallEnded = 2,

    /// <summary>The call was never started.</summary>
    CallNotFound = 3,

    /// <summary>A speech segment the recognizer refused (e.g. too short) was skipped.</summary>
    SegmentSkipped = 4,

    /// <summary>A worker had more waiting than it accepts.</summary>
    Overloaded = 5,

    /// <summary>A video frame waiting for face recognition was replaced by a newer frame of the call.</summary>
    Superseded = 6,

    /// <summary>A video frame came sooner after the previous one than the call's maximum face rate allows.</summary>
    RateLimited = 7,
}
