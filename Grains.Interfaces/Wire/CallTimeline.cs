using System.Collections.Immutable;

namespace Emotion.Orleans.Grains;

/// <summary>A page of what a call produced so far.</summary>
/// <param name="CallId">The call.</param>
/// <param name="State">Where the call is in its life cycle.</param>
/// <param name="Results">Fused results in sequence order, from the requested sequence number on.</param>
/// <param name="Next">
/// The sequence number to ask for next when more results follow this page (the call had more when
/// the page was read); null when the page reaches the end of the timeline.
/// </param>
[GenerateSerializer]
[Immutable]
[Alias("emotion.call-timeline")]
public sealed record CallTimeline(
    [property: Id(0)] string CallId,
    [property: Id(1)] CallState State,
    [property: Id(2)] ImmutableArray<FusedResult> Results,
    [property: Id(3)] long? Next = null)
{
    /// <summary>Most results in one page.</summary>
    public const int MaxPageSize = 1000;
}
