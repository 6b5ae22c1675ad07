using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains;

/// <summary>Chooses an agent reply for the customer's emotion and words.</summary>
public interface IReplySuggester
{
    /// <summary>The best reply, or null when none fits.</summary>
    ReplySuggestion? Suggest(EmotionLabel emotion, string customerUtterance);
}
