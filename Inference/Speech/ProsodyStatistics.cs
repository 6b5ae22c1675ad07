using System.Buffers;
using System.Numerics.Tensors;

namespace Emotion.Orleans.Inference;

/// <summary>
/// Utterance-level prosody, which MFCCs barely carry: pitch (F0 from the normalised
/// autocorrelation at 8 kHz, 60–500 Hz, 40 ms frames every 10 ms, the shortest lag whose peak comes
/// within 10 % of the highest, parabola-refined; a frame is voiced when that peak's correlation
/// passes <see cref="VoicingThreshold"/>), loudness and voicing. Pitch level and range,
/// loudness range and speaking rate separate aroused (anger, joy, fear) from calm and sad speech;
/// per-speaker normalisation then turns the absolute figures into the speaker's deviations.
/// <see cref="Dimension"/> values, in order: log F0 over voiced frames (mean, standard deviation,
/// 5th and 95th percentile, their range), frame level in dB over frames within 40 dB of the
/// loudest (the same five), peak correlation over voiced frames (the same five), mean absolute
/// change of log F0 between voiced neighbours, F0 slope (log F0 per second), mean absolute level
/// change between frames, voiced share of frames, sounding share of frames, zero-crossing rate
/// (mean, standard deviation), and voiced onsets per second. Thread-safe.
/// </summary>
public static class ProsodyStatistics
{
    /// <summary>Width of the summary vector.</summary>
    public const int Dimension = 23;

    /// <summary>Peak normalised autocorrelation above which a frame counts as voiced.</summary>
    public const double VoicingThreshold = 0.6;

    private const int Rate = 8_000;
    private const int FrameSamples = 320; // 40 ms at 8 kHz
    private const int HopSamples = 80; // 10 ms at 8 kHz
    private const int MinLag = Rate / 500;
    private const int MaxLag = Rate / 60;
    private const double SoundingDecibels = 40;
    private const double OctaveTolerance = 0.9;

    /// <summary>The summary of an utterance at 16 kHz (shorter input is zero-padded to one frame).</summary>
    public static float[] Compute(ReadOnlySpan<float> samples16k)
    {
        // The two long buffers come from the pool: a few seconds of speech would put them on the
        // large object heap, and at the silo's utterance rate that churn sets off full collections.
        var length = Math.Max((samples16k.Length + 1) / 2, FrameSamples + MaxLag);
        var x = ArrayPool<float>.Shared.Rent(length);
        var squares = ArrayPool<double>.Shared.Rent(length + 1);
        try
        {
            Decimate(samples16k, x.AsSpan(0, length));
            return Compute(x, length, squares);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(squares);
            ArrayPool<float>.Shared.Return(x);
        }
    }

    private static float[] Compute(float[] x, int length, double[] squares)
    {
        var frames = ((length - FrameSamples - MaxLag) / HopSamples) + 1;

        // Prefix sums of squares give each lagged window's energy in O(1).
        squares[0] = 0;
        for (var i = 0; i < length; i++)
        {
            squares[i + 1] = squares[i] + ((double)x[i] * x[i]);
        }

        var logF0 = new double[frames];
        var voiced = new bool[frames];
        var level = new double[frames];
        var crossings = new double[frames];
        var pitches = new List<double>(frames);
        var correlations = new double[MaxLag - MinLag + 1];
        var strengths = new List<double>(frames);
        for (var t = 0; t < frames; t++)
        {
            var start = t * HopSamples;
            var frame = x.AsSpan(start, FrameSamples);
            var energy = squares[start + FrameSamples] - squares[start];
            level[t] = 10 * Math.Log10((energy / FrameSamples) + 1e-10);
            crossings[t] = ZeroCrossingRate(frame);
            var (lag, correlation) = BestLag(x, frame, start, energy, squares, correlations);
            if (correlation > VoicingThreshold)
            {
                voiced[t] = true;
                logF0[t] = Math.Log((double)Rate / lag);
                pitches.Add(logF0[t]);
                strengths.Add(correlation);
            }
        }

        var floor = level.Max() - SoundingDecibels;
        var sounding = level.Where(l => l > floor).ToList();
        var output = new float[Dimension];
        Summary(pitches, output.AsSpan(0, 5));
        Summary(sounding, output.AsSpan(5, 5));
        Summary(strengths, output.AsSpan(10, 5));
        output[15] = (float)MeanAbsoluteChange(logF0, voiced);
        output[16] = (float)PitchSlope(logF0, voiced);
        output[17] = (float)MeanAbsoluteChange(level, null);
        output[18] = (float)(pitches.Count / (double)frames);
        output[19] = (float)(sounding.Count / (double)frames);
        var (zcrMean, zcrStd) = MeanStd(crossings);
        output[20] = (float)zcrMean;
        output[21] = (float)zcrStd;
        var onsets = Enumerable.Range(1, frames - 1).Count(t => voiced[t] && !voiced[t - 1]) + (voiced[0] ? 1 : 0);
        output[22] = (float)(onsets / Math.Max(0.5, frames * HopSamples / (double)Rate));
        return output;
    }

    // 2:1 decimation after a [¼ ½ ¼] low-pass into y, zero-padded to its length.
    private static void Decimate(ReadOnlySpan<float> x, Span<float> y)
    {
        var half = (x.Length + 1) / 2;
        for (var k = 0; k < half; k++)
        {
            var i = 2 * k;
            var before = i > 0 ? x[i - 1] : 0f;
            var after = i + 1 < x.Length ? x[i + 1] : 0f;
            y[k] = (0.25f * before) + (0.5f * x[i]) + (0.25f * after);
        }

        y[half..].Clear();
    }

    // The pitch period: the shortest lag whose correlation peak comes within OctaveTolerance of the
    // highest one (a periodic signal correlates as well at two and three periods, and taking the
    // highest peak would read a voice an octave low), refined by a parabola through its neighbours.
    private static (double Lag, double Correlation) BestLag(float[] x, ReadOnlySpan<float> frame, int start, double energy, double[] squares, Span<double> correlations)
    {
        var best = 0.0;
        for (var lag = MinLag; lag <= MaxLag; lag++)
        {
            var lagged = x.AsSpan(start + lag, FrameSamples);
            var laggedEnergy = squares[start + lag + FrameSamples] - squares[start + lag];
            var r = TensorPrimitives.Dot(frame, lagged) / Math.Sqrt((energy * laggedEnergy) + 1e-12);
            correlations[lag - MinLag] = r;
            best = Math.Max(best, r);
        }

        for (var k = 0; k < correlations.Length; k++)
        {
            var r = correlations[k];
            var before = k > 0 ? correlations[k - 1] : double.NegativeInfinity;
            var after = k + 1 < correlations.Length ? correlations[k + 1] : double.NegativeInfinity;
            if (r >= OctaveTolerance * best && r >= before && r >= after)
            {
                var shift = 0.0;
                if (k > 0 && k + 1 < correlations.Length)
                {
                    var curvature = before - (2 * r) + after;
                    shift = curvature < 0 ? Math.Clamp(0.5 * (before - after) / curvature, -0.5, 0.5) : 0;
                }

                return (MinLag + k + shift, r);
            }
        }

        return (MinLag, 0);
    }

    private static double ZeroCrossingRate(ReadOnlySpan<float> frame)
    {
        var count = 0;
        for (var k = 1; k < frame.Length; k++)
        {
            if ((frame[k] >= 0) != (frame[k - 1] >= 0))
            {
                count++;
            }
        }

        return count / (double)frame.Length;
    }

    // Mean, standard deviation, 5th and 95th percentile and their range; zeros when there is nothing.
    private static void Summary(List<double> values, Span<float> output)
    {
        if (values.Count == 0)
        {
            output.Clear();
            return;
        }

        values.Sort();
        var (mean, std) = MeanStd(values);
        var low = values[(int)(0.05 * (values.Count - 1))];
        var high = values[(int)(0.95 * (values.Count - 1))];
        output[0] = (float)mean;
        output[1] = (float)std;
        output[2] = (float)low;
        output[3] = (float)high;
        output[4] = (float)(high - low);
    }

    private static (double Mean, double Std) MeanStd(IReadOnlyCollection<double> values)
    {
        var mean = values.Average();
        return (mean, Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count));
    }

    // Over neighbouring frames that are both voiced (all frames when voiced is null).
    private static double MeanAbsoluteChange(double[] track, bool[]? voiced)
    {
        var sum = 0.0;
        var count = 0;
        for (var t = 1; t < track.Length; t++)
        {
            if (voiced is null || (voiced[t] && voiced[t - 1]))
            {
                sum += Math.Abs(track[t] - track[t - 1]);
                count++;
            }
        }

        return count > 0 ? sum / count : 0;
    }

    // Least-squares slope of log F0 against time (seconds) over voiced frames.
    private static double PitchSlope(double[] logF0, bool[] voiced)
    {
        double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (var t = 0; t < logF0.Length; t++)
        {
            if (voiced[t])
            {
                var time = t * HopSamples / (double)Rate;
                n++;
                sx += time;
                sy += logF0[t];
                sxx += time * time;
                sxy += time * logF0[t];
            }
        }

        var denominator = (n * sxx) - (sx * sx);
        return n >= 2 && denominator > 1e-12 ? ((n * sxy) - (sx * sy)) / denominator : 0;
    }
}
