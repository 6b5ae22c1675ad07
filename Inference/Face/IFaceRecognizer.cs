namespace Emotion.Orleans.Inference;

/// <summary>Encoded video frames (JPEG/PNG) → the largest face and its class logits, batched.</summary>
public interface IFaceRecognizer
{
    /// <summary>Recognizes each frame; results are in input order. A frame without a face gives an observation with no face.</summary>
    /// <exception cref="InvalidInputException">A frame is empty, oversized, truncated, corrupt or not JPEG/PNG.</exception>
    IReadOnlyList<FaceObservation> Recognize(IReadOnlyList<ReadOnlyMemory<byte>> frames);
}
