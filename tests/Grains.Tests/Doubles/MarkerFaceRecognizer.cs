using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>Test double for the face model: reads the marker byte of <see cref="TestFrames"/>.</summary>
public sealed class MarkerFaceRecognizer : IFaceRecognizer
{
    public IReadOnlyList<FaceObservation> Recognize(IReadOnlyList<ReadOnlyMemory<byte>> frames)
    {
        foreach (var frame in frames)
        {
            if (frame.IsEmpty)
            {
                throw new InvalidInputException(Modality.Face, InputErrorKind.Empty, "Frame has no bytes.");
            }

            if (!TestFrames.HasSignature(frame.Span) || frame.Length != TestFrames.NoFace.Length)
            {
                throw new InvalidInputException(Modality.Face, InputErrorKind.UnsupportedFormat, "Frame is not a JPEG or PNG image.");
            }
        }

        return [.. frames.Select(f =>
        {
            var marker = f.Span[^1];
            if (marker == 0)
            {
                return FaceObservation.NoFace;
            }

            var logits = new float[EmotionLabels.Count];
            logits[marker == 1 ? (int)EmotionLabel.Joy : (int)EmotionLabel.Anger] = 3f;
            return new FaceObservation(new FaceBox(10, 10, 50, 50, 0.9f), ModalityPrediction.FromLogits(Modality.Face, logits));
        })];
    }
}
