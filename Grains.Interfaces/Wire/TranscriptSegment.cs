namespace Emotion.Orleans.Grains;

/// <summary>One finished transcript segment of a call.</summary>
/// <param name="CallId">The call.</param>
/// <param name="Speaker">Who spoke.</param>
/// <param name="Text">What was said.</param>
/// <param name="Start">Offset of the segment's start from the start of the call.</param>
/// <param name="End">Offset of the segment's end from the start of the call.</param>
[GenerateSerializer]
[Immutable]
[Alias("emotion.transcript-segment")]
public sealed record TranscriptSegment(
    [property: Id(0)] string CallId,
    [property: Id(1)] Speaker Speaker,
    [property: Id(2)] string Text,
    [property: Id(3)] TimeSpan Start,
    [property: Id(4)] TimeSpan End);
