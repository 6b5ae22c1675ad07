using System.Collections.Immutable;

namespace Emotion.Orleans.Grains;

/// <summary>One step of a call's emotion timeline: the fusion of the latest evidence of each present modality.</summary>
/// <param name="CallId">The call.</param>
/// <param name="Sequence">1, 2, 3, … within the call.</param>
/// <param name="WindowStart">Earliest start of the evidence fused.</param>
/// <param name="WindowEnd">Latest end of the evidence fused.</param>
/// <param name="Distribution">The final distribution ŷ.</param>
/// <param name="Alpha">Attention weights in slot order (text, speech, face); 0 for an absent modality.</param>
/// <param name="Modalities">The present modalities' contributions, in slot order.</param>
/// <param name="Trigger">Why the result was produced.</param>
/// <param name="Reply">A suggested agent reply, when the trigger was a customer utterance.</param>
[GenerateSerializer]
[Immutable]
[Alias("emotion.fused-result")]
public sealed record FusedResult(
    [property: Id(0)] string CallId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] TimeSpan WindowStart,
    [property: Id(3)] TimeSpan WindowEnd,
    [property: Id(4)] EmotionDistribution Distribution,
    [property: Id(5)] ImmutableArray<float> Alpha,
    [property: Id(6)] ImmutableArray<ModalityContribution> Modalities,
    [property: Id(7)] FusionTrigger Trigger,
    [property: Id(8)] ReplySuggestion? Reply)
{
    /// <summary>The final emotion (most probable label).</summary>
    public string Emotion => Distribution.Top;

    /// <summary>The modalities that were present, in slot order.</summary>
    public ImmutableArray<InputModality> PresentModalities => [.. Modalities.Select(m => m.Modality)];
}
