namespace Emotion.Orleans.Inference;

/// <summary>Speech path settings; bound from the <c>Inference:Speech</c> section.</summary>
public sealed class SpeechOptions
{
    /// <summary>Longest utterance the speech recognizer accepts.</summary>
    public TimeSpan MaxUtterance { get; set; } = PcmAudio.DefaultMaxDuration;

    /// <summary>
    /// Voice-activity segmentation of call audio. The longest chunk defaults to 30 s here, so that one
    /// push may carry a whole call audio message or the silence filled in for a gap between messages.
    /// </summary>
    public SpeechSegmenterOptions Segmenter { get; set; } = new() { MaxChunk = TimeSpan.FromSeconds(30) };
}
