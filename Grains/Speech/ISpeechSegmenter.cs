using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains;

/// <summary>Voice-activity segmentation of one call's audio; one instance per call, not thread-safe.</summary>
public interface ISpeechSegmenter
{
    /// <summary>Feeds 16 kHz samples; returns the segments they completed (offsets from the first sample fed). One push at a time.</summary>
    /// <exception cref="InvalidInputException">The samples are refused (nothing is consumed).</exception>
    ValueTask<IReadOnlyList<SpeechSegment>> PushAsync(ReadOnlyMemory<float> samples16k);

    /// <summary>Returns the speech still buffered (the audio ended).</summary>
    IReadOnlyList<SpeechSegment> Flush();
}
