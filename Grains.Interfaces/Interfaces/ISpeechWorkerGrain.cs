namespace Emotion.Orleans.Grains;

/// <summary>Speech utterance (16 kHz mono) → class embedding; concurrent requests share one model run.</summary>
[Alias("emotion.speech-worker")]
public interface ISpeechWorkerGrain : IGrainWithIntegerKey
{
    /// <summary>Recognizes one utterance.</summary>
    /// <param name="callId">The call the utterance belongs to.</param>
    /// <param name="samples16k">
    /// The utterance. Marked immutable: neither the worker nor the caller writes to it after the call,
    /// so a call inside the silo hands the array over instead of copying it (utterances of a second or
    /// more land on the large object heap, where every copy brings the next full collection closer).
    /// </param>
    /// <exception cref="MalformedInputException">The utterance is empty, too long or not finite.</exception>
    [Alias("recognize")]
    Task<ClassLogits> Recognize(string callId, [Immutable] float[] samples16k);

    /// <summary>
    /// Recognizes one utterance normalised by the call's running speech statistics (null: the call's
    /// first utterance) and returns them updated with it.
    /// </summary>
    /// <param name="callId">The call the utterance belongs to.</param>
    /// <param name="samples16k">The utterance; immutable as in <see cref="Recognize(string, float[])"/>.</param>
    /// <param name="speaker">The call's running speech statistics; null for its first utterance.</param>
    /// <exception cref="MalformedInputException">The utterance is empty, too long or not finite, or the statistics do not fit the model.</exception>
    [Alias("recognize-for-speaker")]
    Task<SpeechRecognitionResult> Recognize(string callId, [Immutable] float[] samples16k, SpeakerFeatureStatistics? speaker);
}
