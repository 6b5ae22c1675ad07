namespace Emotion.Orleans.Grains;

/// <summary>Life cycle of a call session.</summary>
[GenerateSerializer]
[Alias("emotion.call-state")]
public enum CallState
{
    /// <summary>Never started: the call id is unknown.</summary>
    Unknown = 0,

    /// <summary>Started and accepting inputs.</summary>
    Active = 1,

    /// <summary>Ended: inputs are refused, the timeline stays readable.</summary>
    Ended = 2,
}
