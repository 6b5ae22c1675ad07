using System.Numerics.Tensors;

namespace Emotion.Orleans.Inference;

/// <summary>
/// Cuts leading and trailing silence from an utterance: frames (25 ms, 10 ms hop) quieter than
/// <see cref="FloorDecibels"/> under the loudest frame, keeping <see cref="Margin"/> around the
/// sound. The voice activity detector already cuts live utterances close to the speech, but
/// recorded clips (training data, uploads) carry up to a second of silence that would otherwise
/// dilute every utterance-level statistic; trimming both the same way keeps them comparable.
/// </summary>
public static class SilenceTrim
{
    /// <summary>Frames this far under the loudest frame count as silence.</summary>
    public const double FloorDecibels = 40;

    /// <summary>Audio kept before the first and after the last frame of sound.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(100);

    private const int FrameSamples = 400;
    private const int HopSamples = 160;

    /// <summary>The part of <paramref name="samples16k"/> from the first to the last frame of sound, with the margin; the input itself when it is shorter than a frame or all of it is sound.</summary>
    public static ReadOnlyMemory<float> Apply(ReadOnlyMemory<float> samples16k)
    {
        var x = samples16k.Span;
        if (x.Length <= FrameSamples)
        {
            return samples16k;
        }

        var frames = ((x.Length - FrameSamples) / HopSamples) + 1;
        var level = new double[frames];
        for (var t = 0; t < frames; t++)
        {
            var frame = x.Slice(t * HopSamples, FrameSamples);
            level[t] = 10 * Math.Log10((TensorPrimitives.SumOfSquares(frame) / FrameSamples) + 1e-10);
        }

        var floor = level.Max() - FloorDecibels;
        var first = Array.FindIndex(level, l => l > floor);
        var last = Array.FindLastIndex(level, l => l > floor);
        var margin = (int)(Margin.TotalSeconds * PcmAudio.SampleRate);
        var start = Math.Max(0, (first * HopSamples) - margin);
        var end = Math.Min(x.Length, (last * HopSamples) + FrameSamples + margin);
        return samples16k[start..end];
    }
}
