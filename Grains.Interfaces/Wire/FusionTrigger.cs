namespace Emotion.Orleans.Grains;

/// <summary>Why a fused result was produced.</summary>
[GenerateSerializer]
[Alias("emotion.fusion-trigger")]
public enum FusionTrigger
{
    /// <summary>An utterance ended (a transcript segment, or speech followed by silence).</summary>
    UtteranceEnd = 0,

    /// <summary>The cadence interval passed since the last result while inputs kept arriving.</summary>
    Cadence = 1,
}
