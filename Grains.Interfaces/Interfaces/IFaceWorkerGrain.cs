namespace Emotion.Orleans.Grains;

/// <summary>Video frame → the largest face's class embedding, or no face; concurrent requests share one model run.</summary>
[Alias("emotion.face-worker")]
public interface IFaceWorkerGrain : IGrainWithIntegerKey
{
    /// <summary>Recognizes one frame.</summary>
    /// <exception cref="MalformedInputException">The frame is empty, oversized, corrupt or not JPEG/PNG.</exception>
    [Alias("recognize")]
    Task<FaceResult> Recognize(string callId, byte[] image);
}
