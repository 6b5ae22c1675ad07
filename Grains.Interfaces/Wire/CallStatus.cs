namespace Emotion.Orleans.Grains;

/// <summary>A call's state and counters.</summary>
/// <param name="CallId">The call.</param>
/// <param name="State">Life-cycle state.</param>
/// <param name="StartedAt">Wall-clock start; null when never started.</param>
/// <param name="EndedAt">Wall-clock end; null while not ended.</param>
/// <param name="ResultCount">Fused results in the timeline.</param>
/// <param name="RejectedInputs">Inputs refused so far (malformed or out of order).</param>
/// <param name="Silo">Address of the silo hosting the call's session now (it moves when that silo leaves).</param>
[GenerateSerializer]
[Immutable]
[Alias("emotion.call-status")]
public sealed record CallStatus(
    [property: Id(0)] string CallId,
    [property: Id(1)] CallState State,
    [property: Id(2)] DateTimeOffset? StartedAt,
    [property: Id(3)] DateTimeOffset? EndedAt,
    [property: Id(4)] int ResultCount,
    [property: Id(5)] int RejectedInputs,
    [property: Id(6)] string Silo);
