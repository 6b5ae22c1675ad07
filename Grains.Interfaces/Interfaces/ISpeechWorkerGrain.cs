namespace Emotion.Orleans.Grains;

/// <summary>Speech utterance (16 kHz mono) → class embedding; concurrent requests share one model run.</summary>
[Alias("emotion.speech-worker")]
public interface ISpeechWorkerGrain : IGrainWithIntegerKey
{
    /// <summary>Recognizes one utterance.</summary>
    /// <exception cref="MalformedInputException">The utterance is empty, too long or not finite.</exception>
    [Alias("recognize")]
    Task<ClassLogits> Recognize(string callId, float[] samples16k);

    /// <summary>
    /// Recognizes one utterance normalised by the call's running speech statistics (null: the call's
    /// first utterance) and returns them updated with it.
    /// </summary>
    /// <exception cref="MalformedInputException">The utterance is empty, too long or not finite, or the statistics do not fit the model.</exception>
    [Alias("recognize-for-speaker")]
    Task<SpeechRecognitionResult> Recognize(string callId, float[] samples16k, SpeakerFeatureStatistics? speaker);
}
