using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains;

/// <summary>Chooses an agent reply for the customer's emotion and words.</summary>
public interface IReplySuggester
{
    /// <summary>The best reply, or null when none fits.</summary>
    ReplySuggestion? Suggest(EmotionLabel emotion, string customerUtterance);

    /// <summary>
    /// The best reply for words whose sentence embedding is already known (the text worker's); a
    /// suggester that cannot use it embeds the words itself.
    /// </summary>
    ReplySuggestion? Suggest(EmotionLabel emotion, string customerUtterance, ReadOnlySpan<float> utteranceEmbedding) => Suggest(emotion, customerUtterance);
}
