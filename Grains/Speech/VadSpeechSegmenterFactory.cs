using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains;

/// <summary>
/// The call sessions' segmenters: one Silero VAD <see cref="SpeechSegmenter"/> per call from
/// Inference's <see cref="SpeechSegmenterFactory"/>, over the one shared VAD session.
/// </summary>
/// <param name="segmenters">Inference's factory (from the inference registration).</param>
public sealed class VadSpeechSegmenterFactory(SpeechSegmenterFactory segmenters) : ISpeechSegmenterFactory
{
    private readonly int _maxChunk = Math.Max(1, PcmAudio.Samples(segmenters.Options.MaxChunk));

    /// <inheritdoc />
    public ISpeechSegmenter Create() => new VadSpeechSegmenter(segmenters.Create(), _maxChunk);

    /// <summary>
    /// Feeds Inference's segmenter in pieces no longer than its longest chunk, so that a long audio
    /// message or the silence filled in for a gap is accepted whatever that limit is.
    /// </summary>
    private sealed class VadSpeechSegmenter(SpeechSegmenter segmenter, int maxChunk) : ISpeechSegmenter
    {
        public IReadOnlyList<SpeechSegment> Push(ReadOnlySpan<float> samples16k)
        {
            if (samples16k.Length <= maxChunk)
            {
                return segmenter.Push(samples16k);
            }

            List<SpeechSegment> segments = [];
            for (var offset = 0; offset < samples16k.Length; offset += maxChunk)
            {
                segments.AddRange(segmenter.Push(samples16k.Slice(offset, Math.Min(maxChunk, samples16k.Length - offset))));
            }

            return segments;
        }

        public IReadOnlyList<SpeechSegment> Flush() => segmenter.Flush();
    }
}
