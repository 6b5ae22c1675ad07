namespace Emotion.Orleans.Grains;

/// <summary>What a timeline page keeps in grain storage.</summary>
[GenerateSerializer]
[Alias("emotion.call-timeline-page-state")]
public sealed class CallTimelinePageState
{
    /// <summary>The page's results in sequence order.</summary>
    [Id(0)]
    public List<FusedResult> Results { get; set; } = [];
}
