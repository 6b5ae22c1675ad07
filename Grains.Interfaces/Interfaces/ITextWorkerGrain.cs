using System.Collections.Immutable;

namespace Emotion.Orleans.Grains;

/// <summary>Transcript text → class embedding; concurrent requests share one model run.</summary>
[Alias("emotion.text-worker")]
public interface ITextWorkerGrain : IGrainWithIntegerKey
{
    /// <summary>Recognizes one text.</summary>
    /// <exception cref="MalformedInputException">The text is empty, only whitespace or too long.</exception>
    [Alias("recognize")]
    Task<ClassLogits> Recognize(string callId, string text);

    /// <summary>Recognizes one text with the previous turns of its call (oldest first), which a context-reading model reads.</summary>
    /// <exception cref="MalformedInputException">The text or a context turn is empty, only whitespace or too long.</exception>
    [Alias("recognize-in-context")]
    Task<ClassLogits> Recognize(string callId, string text, IReadOnlyList<string> context);

    /// <summary>
    /// Recognizes one text of a call with the embeddings of its previous turns (oldest first), as
    /// earlier answers returned them; the answer carries this text's embedding for the next turns.
    /// </summary>
    /// <exception cref="MalformedInputException">The text is empty, only whitespace or too long, or a context embedding has the wrong width.</exception>
    [Alias("recognize-after-embeddings")]
    Task<TextRecognitionResult> RecognizeAfter(string callId, string text, IReadOnlyList<ImmutableArray<float>> previousEmbeddings);

    /// <summary>
    /// Recognizes one text of a call as <see cref="RecognizeAfter(string, string, IReadOnlyList{ImmutableArray{float}})"/>
    /// does, with also the embedding of the same speaker's previous turn (default when the speaker has
    /// not spoken before), which a speaker-aware model reads.
    /// </summary>
    /// <exception cref="MalformedInputException">The text is empty, only whitespace or too long, or a context embedding has the wrong width.</exception>
    [Alias("recognize-after-embeddings-and-speaker-turn")]
    Task<TextRecognitionResult> RecognizeAfter(string callId, string text, IReadOnlyList<ImmutableArray<float>> previousEmbeddings, ImmutableArray<float> speakerPrevious);
}
