using System.Collections.Immutable;

namespace Emotion.Orleans.Grains;

/// <summary>
/// One full page of a call's timeline (key from <see cref="CallTimelines.PageKey"/>), stored once when it fills
/// so that a result is written in full only once however long the call runs.
/// </summary>
[Alias("emotion.call-timeline-page")]
public interface ICallTimelinePageGrain : IGrainWithStringKey
{
    /// <summary>Stores the page's results (replacing what the page held).</summary>
    [Alias("write")]
    Task Write(ImmutableArray<FusedResult> results);

    /// <summary>The page's results in sequence order (empty when never written).</summary>
    [Alias("read")]
    Task<ImmutableArray<FusedResult>> Read();

    /// <summary>Removes the page from storage (the call's timeline retention has passed).</summary>
    [Alias("remove")]
    Task Remove();
}
