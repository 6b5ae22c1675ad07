namespace Emotion.Orleans.QualityCheck;

/// <summary>Where the transcript lines come from.</summary>
public enum TextSource
{
    /// <summary>MELD dev (conversational lines); a label with fewer MELD dev lines than clips is topped up from GoEmotions dev.</summary>
    Meld,

    /// <summary>GoEmotions dev only (single-label rule of the training command).</summary>
    GoEmotions,
}
