using System.Buffers.Binary;
using Emotion.Orleans.Replay;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>
/// Call audio for the tests: the synthesised speech of the sample call (samples/call-001, 16 kHz),
/// silence, and PCM16 chunks of them.
/// </summary>
public static class TestAudio
{
    public const int Rate = 16_000;

    private static readonly Lazy<float[]> Recording = new(() =>
    {
        var (pcm, rate) = WaveFile.ReadPcm16Mono(Path.Combine(SampleFolder(), "audio.wav"));
        Assert.Equal(Rate, rate);
        return ToFloats(pcm);
    });

    /// <summary>The sample call folder, found above the test binaries.</summary>
    public static string SampleFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "call-001");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("samples/call-001 not found above the test binaries.");
    }

    /// <summary>The sample call's audio from <paramref name="start"/> to <paramref name="end"/> seconds.</summary>
    public static float[] SampleCall(double start, double end) =>
        Recording.Value[Samples(TimeSpan.FromSeconds(start))..Samples(TimeSpan.FromSeconds(end))];

    /// <summary>
    /// The customer's first line of the sample call ("Hi, I'm calling about my internet bill …",
    /// spoken 0.50–5.43 s) with the silence around it: 0.2–6.0 s.
    /// </summary>
    public static float[] FirstLine() => SampleCall(0.2, 6.0);

    public static float[] Silence(TimeSpan duration) => new float[Samples(duration)];

    /// <summary>Cuts the samples into PCM16 chunks of <paramref name="chunk"/> starting at <paramref name="start"/>.</summary>
    public static IEnumerable<AudioChunk> Chunks(string callId, float[] samples, TimeSpan start, TimeSpan chunk, int rate = Rate)
    {
        var size = (int)Math.Round(chunk.TotalSeconds * rate);
        for (var offset = 0; offset < samples.Length; offset += size)
        {
            var part = samples.AsSpan(offset, Math.Min(size, samples.Length - offset));
            yield return new AudioChunk(callId, ToPcm16(part), rate, start + TimeSpan.FromSeconds((double)offset / rate));
        }
    }

    /// <summary>16 kHz audio upsampled ×3 to 48 kHz by linear interpolation (as a 48 kHz source would send it).</summary>
    public static float[] To48k(float[] samples16k)
    {
        var result = new float[samples16k.Length * 3];
        for (var i = 0; i < result.Length; i++)
        {
            var position = i / 3.0;
            var left = (int)position;
            var right = Math.Min(left + 1, samples16k.Length - 1);
            var fraction = (float)(position - left);
            result[i] = (samples16k[left] * (1 - fraction)) + (samples16k[right] * fraction);
        }

        return result;
    }

    public static byte[] ToPcm16(ReadOnlySpan<float> samples)
    {
        var pcm = new byte[samples.Length * 2];
        for (var i = 0; i < samples.Length; i++)
        {
            var s = Math.Clamp(samples[i], -1f, 1f);
            BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(2 * i, 2), (short)MathF.Round(s * 32767f));
        }

        return pcm;
    }

    private static float[] ToFloats(ReadOnlySpan<byte> pcm)
    {
        var samples = new float[pcm.Length / 2];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = BinaryPrimitives.ReadInt16LittleEndian(pcm.Slice(2 * i, 2)) / 32768f;
        }

        return samples;
    }

    private static int Samples(TimeSpan duration) => (int)Math.Round(duration.TotalSeconds * Rate);
}
