using System.Collections.Immutable;

namespace Emotion.Orleans.Grains;

/// <summary>Everything a call produced so far.</summary>
/// <param name="CallId">The call.</param>
/// <param name="State">Where the call is in its life cycle.</param>
/// <param name="Results">Fused results in sequence order.</param>
[GenerateSerializer]
[Immutable]
[Alias("emotion.call-timeline")]
public sealed record CallTimeline(
    [property: Id(0)] string CallId,
    [property: Id(1)] CallState State,
    [property: Id(2)] ImmutableArray<FusedResult> Results);
