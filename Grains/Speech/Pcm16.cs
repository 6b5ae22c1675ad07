using System.Buffers.Binary;

namespace Emotion.Orleans.Grains;

/// <summary>Little-endian signed 16-bit PCM ↔ float samples in [-1, 1].</summary>
public static class Pcm16
{
    /// <summary>Decodes the samples; the byte count must be even.</summary>
    public static float[] ToFloats(ReadOnlySpan<byte> pcm)
    {
        if (pcm.Length % 2 != 0)
        {
            throw new ArgumentException("PCM16 needs an even number of bytes.", nameof(pcm));
        }

        var samples = new float[pcm.Length / 2];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = BinaryPrimitives.ReadInt16LittleEndian(pcm.Slice(2 * i, 2)) / 32768f;
        }

        return samples;
    }

    /// <summary>Encodes the samples, clamped to [-1, 1].</summary>
    public static byte[] FromFloats(ReadOnlySpan<float> samples)
    {
        var pcm = new byte[samples.Length * 2];
        for (var i = 0; i < samples.Length; i++)
        {
            var s = Math.Clamp(samples[i], -1f, 1f);
            BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(2 * i, 2), (short)MathF.Round(s * 32767f));
        }

        return pcm;
    }
}
