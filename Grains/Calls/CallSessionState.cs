namespace Emotion.Orleans.Grains;

/// <summary>What a call session keeps in grain storage.</summary>
[GenerateSerializer]
[Alias("emotion.call-session-state")]
public sealed class CallSessionState
{
    /// <summary>Life-cycle state.</summary>
    [Id(0)]
    public CallState State { get; set; }

    /// <summary>Wall-clock start.</summary>
    [Id(1)]
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>Wall-clock end.</summary>
    [Id(2)]
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>
    /// The latest results, in sequence order, not yet stored in a timeline page (fewer than a page,
    /// except while a page is being written).
    /// </summary>
    [Id(3)]
    public List<FusedResult> Results { get; set; } = [];

    /// <summary>Inputs refused so far.</summary>
    [Id(4)]
    public int RejectedInputs { get; set; }

    /// <summary>Start of the latest transcript segment.</summary>
    [Id(5)]
    public TimeSpan? LastTextStart { get; set; }

    /// <summary>End of the latest audio chunk.</summary>
    [Id(6)]
    public TimeSpan? AudioEnd { get; set; }

    /// <summary>Timestamp of the latest frame recognised.</summary>
    [Id(7)]
    public TimeSpan? LastFrame { get; set; }

    /// <summary>Sequence number of the first result of each stored timeline page, in page order.</summary>
    [Id(8)]
    public List<long> Pages { get; set; } = [];

    /// <summary>Results in the timeline (pages and latest together).</summary>
    [Id(9)]
    public int ResultCount { get; set; }

    /// <summary>Highest result sequence number so far.</summary>
    [Id(10)]
    public long LastSequence { get; set; }

    /// <summary>Wall-clock time of the latest input (idle calls are ended after <see cref="CallSessionOptions.IdleTimeout"/>).</summary>
    [Id(11)]
    public DateTimeOffset? LastInputAt { get; set; }

    /// <summary>
    /// When the call's timeline was removed (<see cref="CallSessionOptions.EndedCallRetention"/> after
    /// the end); the call's status and counts stay.
    /// </summary>
    [Id(12)]
    public DateTimeOffset? TimelineRemovedAt { get; set; }
}
