namespace Emotion.Orleans.Grains.Tests;

/// <summary>
/// What identifies a fused result across copies (records holding immutable arrays compare those by
/// reference, and every grain call or stream hop delivers a copy).
/// </summary>
public static class ResultKey
{
    public static (string CallId, long Sequence, string Emotion, TimeSpan WindowStart, TimeSpan WindowEnd, string Alpha) Of(FusedResult r) =>
        (r.CallId, r.Sequence, r.Emotion, r.WindowStart, r.WindowEnd, string.Join(",", r.Alpha));
}
