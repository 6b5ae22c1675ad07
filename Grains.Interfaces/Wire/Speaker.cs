namespace Emotion.Orleans.Grains;

/// <summary>Who spoke a transcript segment.</summary>
[GenerateSerializer]
[Alias("emotion.speaker")]
public enum Speaker
{
    /// <summary>The caller.</summary>
    Customer = 0,

    /// <summary>The call-center agent.</summary>
    Agent = 1,
}
