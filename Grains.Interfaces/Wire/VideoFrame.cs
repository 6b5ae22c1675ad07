namespace Emotion.Orleans.Grains;

/// <summary>One encoded video frame (JPEG or PNG) of a call.</summary>
/// <param name="CallId">The call.</param>
/// <param name="Image">The encoded image bytes.</param>
/// <param name="Timestamp">Offset of the frame from the start of the call.</param>
[GenerateSerializer]
[Alias("emotion.video-frame")]
public sealed record VideoFrame(
    [property: Id(0)] string CallId,
    [property: Id(1)] byte[] Image,
    [property: Id(2)] TimeSpan Timestamp);
