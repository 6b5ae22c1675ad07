using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>Test double for the speech model: loud utterances lean to anger, quiet ones to sadness.</summary>
public sealed class LoudnessSpeechRecognizer : ISpeechRecognizer
{
    public IReadOnlyList<ModalityPrediction> Recognize(IReadOnlyList<float[]> utterances)
    {
        foreach (var u in utterances)
        {
            if (u.Length == 0)
            {
                throw new InvalidInputException(Modality.Speech, InputErrorKind.Empty, "Utterance has no samples.");
            }

            if (u.Any(s => !float.IsFinite(s)))
            {
                throw new InvalidInputException(Modality.Speech, InputErrorKind.NotFinite, "Utterance holds NaN or infinity.");
            }
        }

        return [.. utterances.Select(u =>
        {
            var rms = MathF.Sqrt(u.Sum(s => s * s) / u.Length);
            var logits = new float[EmotionLabels.Count];
            logits[(int)EmotionLabel.Anger] = 4f * rms;
            logits[(int)EmotionLabel.Sadness] = 1f - (4f * rms);
            logits[(int)EmotionLabel.Neutral] = 0.5f;
            return ModalityPrediction.FromLogits(Modality.Speech, logits);
        })];
    }
}
