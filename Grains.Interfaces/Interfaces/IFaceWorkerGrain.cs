namespace Emotion.Orleans.Grains;

/// <summary>Video frame → the largest face's class embedding, or no face; concurrent requests share one model run.</summary>
[Alias("emotion.face-worker")]
public interface IFaceWorkerGrain : IGrainWithIntegerKey
{
    /// <summary>Recognizes one frame.</summary>
    /// <param name="callId">The call the frame belongs to.</param>
    /// <param name="image">
    /// The JPEG/PNG bytes. Marked immutable: neither the worker nor the caller writes to them after the
    /// call, so a call inside the silo hands the array over instead of copying every frame.
    /// </param>
    /// <exception cref="MalformedInputException">The frame is empty, oversized, corrupt or not JPEG/PNG.</exception>
    [Alias("recognize")]
    Task<FaceResult> Recognize(string callId, [Immutable] byte[] image);
}
