using System.Collections.Immutable;

namespace Emotion.Orleans.Grains;

/// <summary>Suggests an agent reply for the customer's emotion and words.</summary>
[Alias("emotion.response")]
public interface IResponseGrain : IGrainWithIntegerKey
{
    /// <summary>The best reply for the emotion, or null when none fits.</summary>
    /// <param name="emotion">Label name, one of <see cref="EmotionDistribution.Labels"/>.</param>
    /// <param name="customerUtterance">What the customer said.</param>
    [Alias("suggest")]
    Task<ReplySuggestion?> Suggest(string emotion, string customerUtterance);

    /// <summary>Suggests a reply for the customer's words, given their sentence embedding from the text worker (not embedded again).</summary>
    [Alias("suggest-for-embedding")]
    Task<ReplySuggestion?> Suggest(string emotion, string customerUtterance, ImmutableArray<float> utteranceEmbedding);
}
