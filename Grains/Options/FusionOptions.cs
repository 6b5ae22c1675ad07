namespace Emotion.Orleans.Grains;

/// <summary>When the fusion produces results (configuration section <c>Fusion</c>).</summary>
public sealed class FusionOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Fusion";

    /// <summary>
    /// Least call time between two results that are not utterance ends (a frame or partial speech
    /// triggers one at most this often). Measured on the call's own timestamps, so replays at any speed agree.
    /// </summary>
    public TimeSpan CadenceInterval { get; set; } = TimeSpan.FromMilliseconds(1000);

    /// <summary>Evidence older than this (call time) no longer counts: its modality is treated as absent.</summary>
    public TimeSpan EvidenceMaxAge { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Whether customer utterances get a suggested agent reply.</summary>
    public bool SuggestReplies { get; set; } = true;
}
