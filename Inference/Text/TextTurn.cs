namespace Emotion.Orleans.Inference;

/// <summary>One utterance to recognise with the previous turns of its dialogue (oldest first; empty when it opens the dialogue).</summary>
/// <param name="Text">The utterance.</param>
/// <param name="Context">Previous turns of the same call, oldest first.</param>
public sealed record TextTurn(string Text, IReadOnlyList<string> Context)
{
    /// <summary>
    /// The previous turns' sentence embeddings (oldest first), as an earlier recognition returned
    /// them; when set they are read instead of <see cref="Context"/>, so a live call embeds each
    /// utterance once rather than again as the context of the next turns.
    /// </summary>
    public IReadOnlyList<float[]>? ContextEmbeddings { get; init; }

    /// <summary>
    /// The embedding of the same speaker's previous turn in the call, as an earlier recognition
    /// returned it; read by a speaker-aware head (null: the speaker has not spoken before, or unknown).
    /// </summary>
    public float[]? SameSpeakerPreviousEmbedding { get; init; }

    /// <summary>An utterance whose context is given as the previous turns' embeddings.</summary>
    public static TextTurn AfterEmbeddings(string text, IReadOnlyList<float[]> previous) => new(text, []) { ContextEmbeddings = previous };
}
