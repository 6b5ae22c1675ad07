using System.Buffers.Binary;
using System.Globalization;
using NWaves.Operations;
using NWaves.Signals;

namespace Emotion.Orleans.Inference;

/// <summary>
/// Turns call audio into what the speech path reads: 16 kHz mono float samples in [-1, 1].
/// 16-bit PCM is scaled by 1/32768; 8, 22.05, 24, 32, 44.1 and 48 kHz are resampled (NWaves,
/// band-limited); other rates, empty, non-finite or over-long input are refused with
/// <see cref="InvalidInputException"/>.
/// </summary>
public static class PcmAudio
{
    /// <summary>The sample rate of everything downstream.</summary>
    public const int SampleRate = 16000;

    /// <summary>Default longest item accepted: 30 s.</summary>
    public static readonly TimeSpan DefaultMaxDuration = TimeSpan.FromSeconds(30);

    /// <summary>Input rates that are resampled to 16 kHz.</summary>
    public static IReadOnlyList<int> ResampledRates { get; } = [8000, 22050, 24000, 32000, 44100, 48000];

    /// <summary>True when audio at <paramref name="sampleRate"/> is accepted (16 kHz or resampled).</summary>
    public static bool IsSupportedRate(int sampleRate) => sampleRate == SampleRate || ResampledRates.Contains(sampleRate);

    /// <summary>Converts little-endian 16-bit PCM bytes to 16 kHz float samples.</summary>
    /// <exception cref="InvalidInputException">Unsupported rate, empty, odd byte count or longer than <paramref name="maxDuration"/>.</exception>
    public static float[] FromPcm16(ReadOnlySpan<byte> littleEndian, int sampleRate, TimeSpan? maxDuration = null)
    {
        if (littleEndian.Length % 2 != 0)
        {
            throw Refuse(InputErrorKind.WrongShape, $"16-bit PCM needs an even number of bytes, got {littleEndian.Length}.");
        }

        CheckShape(littleEndian.Length / 2, sampleRate, maxDuration);
        var samples = new float[littleEndian.Length / 2];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = BinaryPrimitives.ReadInt16LittleEndian(littleEndian.Slice(i * 2, 2)) / 32768f;
        }

        return ResampleTo16k(samples, sampleRate);
    }

    /// <summary>Converts 16-bit PCM samples to 16 kHz float samples.</summary>
    /// <exception cref="InvalidInputException">Unsupported rate, empty or longer than <paramref name="maxDuration"/>.</exception>
    public static float[] FromPcm16(ReadOnlySpan<short> samples, int sampleRate, TimeSpan? maxDuration = null)
    {
        CheckShape(samples.Length, sampleRate, maxDuration);
        var result = new float[samples.Length];
        for (var i = 0; i < samples.Length; i++)
        {
            result[i] = samples[i] / 32768f;
        }

        return ResampleTo16k(result, sampleRate);
    }

    /// <summary>Validates float samples and resamples them to 16 kHz (a copy, even at 16 kHz).</summary>
    /// <exception cref="InvalidInputException">Unsupported rate, empty, NaN/∞ or longer than <paramref name="maxDuration"/>.</exception>
    public static float[] FromFloat(ReadOnlySpan<float> samples, int sampleRate, TimeSpan? maxDuration = null)
    {
        CheckShape(samples.Length, sampleRate, maxDuration);
        CheckFinite(samples);
        return ResampleTo16k(samples.ToArray(), sampleRate);
    }

    /// <summary>Validates one 16 kHz utterance without copying it.</summary>
    /// <exception cref="InvalidInputException">Empty, NaN/∞ or longer than <paramref name="maxDuration"/>.</exception>
    public static void Validate(ReadOnlySpan<float> samples16k, TimeSpan? maxDuration = null)
    {
        CheckShape(samples16k.Length, SampleRate, maxDuration);
        CheckFinite(samples16k);
    }

    /// <summary>The duration of <paramref name="sampleCount"/> samples at 16 kHz.</summary>
    public static TimeSpan Duration(long sampleCount) => TimeSpan.FromTicks(sampleCount * (TimeSpan.TicksPerSecond / SampleRate));

    /// <summary>The number of 16 kHz samples in <paramref name="duration"/> (rounded down).</summary>
    public static int Samples(TimeSpan duration) => checked((int)(duration.Ticks / (TimeSpan.TicksPerSecond / SampleRate)));

    private static void CheckShape(int sampleCount, int sampleRate, TimeSpan? maxDuration)
    {
        if (!IsSupportedRate(sampleRate))
        {
            throw Refuse(
                InputErrorKind.UnsupportedSampleRate,
                string.Create(CultureInfo.InvariantCulture, $"Sample rate {sampleRate} Hz is not supported; use 16000 Hz or one of {string.Join(", ", ResampledRates)}."));
        }

        if (sampleCount == 0)
        {
            throw Refuse(InputErrorKind.Empty, "The audio holds no samples.");
        }

        var max = maxDuration ?? DefaultMaxDuration;
        if ((double)sampleCount / sampleRate > max.TotalSeconds)
        {
            throw Refuse(
                InputErrorKind.TooLarge,
                string.Create(CultureInfo.InvariantCulture, $"The audio lasts {(double)sampleCount / sampleRate:0.###} s, more than the {max.TotalSeconds:0.###} s allowed per item."));
        }
    }

    private static void CheckFinite(ReadOnlySpan<float> samples)
    {
        for (var i = 0; i < samples.Length; i++)
        {
            if (!float.IsFinite(samples[i]))
            {
                throw Refuse(InputErrorKind.NotFinite, string.Create(CultureInfo.InvariantCulture, $"Sample {i} is {samples[i]}; audio must be finite."));
            }
        }
    }

    private static float[] ResampleTo16k(float[] samples, int sampleRate)
    {
        if (sampleRate == SampleRate)
        {
            return samples;
        }

        var resampled = new Resampler().Resample(new DiscreteSignal(sampleRate, samples), SampleRate);
        return resampled.Samples;
    }

    private static InvalidInputException Refuse(InputErrorKind kind, string message) => new(Modality.Speech, kind, message);
}
