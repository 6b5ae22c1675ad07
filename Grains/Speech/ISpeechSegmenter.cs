using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains;

/// <summary>Voice-activity segmentation of one call's audio; one instance per call, not thread-safe.</summary>
public interface ISpeechSegmenter
{
    /// <summary>Feeds 16 kHz samples; returns the segments they completed (offsets from the first sample fed).</summary>
    IReadOnlyList<SpeechSegment> Push(ReadOnlySpan<float> samples16k);

    /// <summary>Returns the speech still buffered (the audio ended).</summary>
    IReadOnlyList<SpeechSegment> Flush();
}
