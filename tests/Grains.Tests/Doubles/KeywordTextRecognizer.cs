using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>
/// Test double for the text model: counts emotion keywords, so a test knows which label wins.
/// Refuses the same inputs as the real recognizer (empty, whitespace, over-long) before "running".
/// Records batch sizes.
/// </summary>
public sealed class KeywordTextRecognizer : ITextRecognizer
{
    private static readonly (string Word, EmotionLabel Label)[] Keywords =
    [
        ("angry", EmotionLabel.Anger), ("furious", EmotionLabel.Anger), ("ridiculous", EmotionLabel.Anger),
        ("disgusting", EmotionLabel.Disgust), ("scared", EmotionLabel.Fear), ("worried", EmotionLabel.Fear),
        ("great", EmotionLabel.Joy), ("thanks", EmotionLabel.Joy), ("happy", EmotionLabel.Joy),
        ("sad", EmotionLabel.Sadness), ("sorry", EmotionLabel.Sadness), ("wow", EmotionLabel.Surprise),
    ];

    public const int MaxLength = 2000;

    public List<int> BatchSizes { get; } = [];

    public IReadOnlyList<ModalityPrediction> Recognize(IReadOnlyList<string> texts)
    {
        foreach (var text in texts)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new InvalidInputException(Modality.Text, text.Length == 0 ? InputErrorKind.Empty : InputErrorKind.InvalidText, "Text holds nothing to recognise.");
            }

            if (text.Length > MaxLength)
            {
                throw new InvalidInputException(Modality.Text, InputErrorKind.TooLarge, $"Text is longer than {MaxLength} characters.");
            }
        }

        lock (BatchSizes)
        {
            BatchSizes.Add(texts.Count);
        }

        return [.. texts.Select(Score)];
    }

    public static EmotionLabel Expected(string text) => Score(text).Emotion;

    private static ModalityPrediction Score(string text)
    {
        var logits = new float[EmotionLabels.Count];
        logits[(int)EmotionLabel.Neutral] = 0.5f;
        foreach (var (word, label) in Keywords)
        {
            if (text.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                logits[(int)label] += 2f;
            }
        }

        return ModalityPrediction.FromLogits(Modality.Text, logits);
    }
}
