using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>Test double for the face model: reads the marker byte of <see cref="TestFrames"/>; any other PNG or JPEG shows no face.</summary>
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

            if (!TestFrames.IsImage(frame.Span))
            {
                throw new InvalidInputException(Modality.Face, InputErrorKind.UnsupportedFormat, "Frame is not a JPEG or PNG image.");
            }
        }

        return [.. frames.Select(f =>
        {
            var marker = f.Length == TestFrames.NoFace.Length && TestFrames.HasSignature(f.Span) ? f.Span[^1] : 0;
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
