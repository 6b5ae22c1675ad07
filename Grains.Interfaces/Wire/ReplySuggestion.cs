namespace Emotion.Orleans.Grains;

/// <summary>A reply the agent may use, chosen for the customer's emotion and words.</summary>
/// <param name="Text">The reply.</param>
/// <param name="Emotion">The emotion it was written for.</param>
/// <param name="Similarity">Cosine similarity between the reply and the customer's utterance.</param>
[GenerateSerializer]
[Immutable]
[Alias("emotion.reply-suggestion")]
public sealed record ReplySuggestion(
    [property: Id(0)] string Text,
    [property: Id(1)] string Emotion,
    [property: Id(2)] float Similarity);
