using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>
/// Test double for the voice-activity segmenter: 20 ms frames above an RMS threshold are speech;
/// 300 ms of silence ends an utterance.
/// </summary>
public sealed class EnergySpeechSegmenter : ISpeechSegmenter
{
    private const int FrameSamples = 320;
    private const int SilenceFramesToEnd = 15;
    private const float Threshold = 0.05f;

    private readonly List<float> _pending = [];
    private readonly List<float> _speech = [];
    private long _position;
    private long _speechStart = -1;
    private int _silentFrames;

    public IReadOnlyList<SpeechSegment> Push(ReadOnlySpan<float> samples16k)
    {
        _pending.AddRange(samples16k.ToArray());
        List<SpeechSegment> done = [];
        while (_pending.Count >= FrameSamples)
        {
            var frame = _pending.GetRange(0, FrameSamples);
            _pending.RemoveRange(0, FrameSamples);
            var rms = MathF.Sqrt(frame.Sum(s => s * s) / FrameSamples);
            if (rms >= Threshold)
            {
                if (_speechStart < 0)
                {
                    _speechStart = _position;
                }

                _speech.AddRange(frame);
                _silentFrames = 0;
            }
            else if (_speechStart >= 0)
            {
                _speech.AddRange(frame);
                if (++_silentFrames >= SilenceFramesToEnd)
                {
                    done.Add(Cut(endOfUtterance: true));
                }
            }

            _position += FrameSamples;
        }

        return done;
    }

    public IReadOnlyList<SpeechSegment> Flush() => _speechStart >= 0 ? [Cut(endOfUtterance: true)] : [];

    private SpeechSegment Cut(bool endOfUtterance)
    {
        var segment = new SpeechSegment([.. _speech], Time(_speechStart), Time(_speechStart + _speech.Count), endOfUtterance);
        _speech.Clear();
        _speechStart = -1;
        _silentFrames = 0;
        return segment;
    }

    private static TimeSpan Time(long samples) => TimeSpan.FromSeconds(samples / 16_000.0);
}
