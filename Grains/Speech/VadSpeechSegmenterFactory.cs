using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains;

/// <summary>
/// The call sessions' segmenters: one Silero VAD <see cref="SpeechSegmenter"/> per call from
/// Inference's <see cref="SpeechSegmenterFactory"/>, over the one shared VAD session, their windows
/// scored by <paramref name="scorer"/> (the silo's <see cref="VoiceActivityBatcher"/>).
/// </summary>
/// <param name="segmenters">Inference's factory (from the inference registration).</param>
/// <param name="scorer">Scores the windows; null scores each call's windows alone, on the caller's thread.</param>
public sealed class VadSpeechSegmenterFactory(SpeechSegmenterFactory segmenters, IVoiceActivityScorer? scorer = null) : ISpeechSegmenterFactory
{
    private readonly int _maxChunk = Math.Max(1, PcmAudio.Samples(segmenters.Options.MaxChunk));
    private readonly IVoiceActivityScorer _scorer = scorer ?? segmenters.Vad;

    /// <inheritdoc />
    public ISpeechSegmenter Create() => new VadSpeechSegmenter(segmenters.Create(), _scorer, _maxChunk);

    /// <summary>
    /// Feeds Inference's segmenter in pieces no longer than its longest chunk, so that a long audio
    /// message or the silence filled in for a gap is accepted whatever that limit is.
    /// </summary>
    private sealed class VadSpeechSegmenter(SpeechSegmenter segmenter, IVoiceActivityScorer scorer, int maxChunk) : ISpeechSegmenter
    {
        public async ValueTask<IReadOnlyList<SpeechSegment>> PushAsync(ReadOnlyMemory<float> samples16k)
        {
            if (samples16k.Length <= maxChunk)
            {
                return await segmenter.PushAsync(samples16k, scorer);
            }

            List<SpeechSegment> segments = [];
            for (var offset = 0; offset < samples16k.Length; offset += maxChunk)
            {
                segments.AddRange(await segmenter.PushAsync(samples16k.Slice(offset, Math.Min(maxChunk, samples16k.Length - offset)), scorer));
            }

            return segments;
        }

        public IReadOnlyList<SpeechSegment> Flush() => segmenter.Flush();
    }
}
