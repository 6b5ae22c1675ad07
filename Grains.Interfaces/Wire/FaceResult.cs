namespace Emotion.Orleans.Grains;

/// <summary>What one video frame showed: the largest face's logits, or no face (a result, not an error).</summary>
/// <param name="Logits">The face's class embedding; null when the frame holds no face.</param>
[GenerateSerializer]
[Immutable]
[Alias("emotion.face-result")]
public sealed record FaceResult([property: Id(0)] ClassLogits? Logits)
{
    /// <summary>True when a face was found.</summary>
    public bool FaceFound => Logits is not null;
}
