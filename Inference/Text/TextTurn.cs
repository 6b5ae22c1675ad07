namespace Emotion.Orleans.Inference;

/// <summary>One utterance to recognise with the previous turns of its dialogue (oldest first; empty when it opens the dialogue).</summary>
/// <param name="Text">The utterance.</param>
/// <param name="Context">Previous turns of the same call, oldest first.</param>
public sealed record TextTurn(string Text, IReadOnlyList<string> Context);
