using System.Buffers.Binary;

namespace Emotion.Orleans.Replay;

/// <summary>Reads a RIFF/WAVE file holding 16-bit PCM mono.</summary>
public static class WaveFile
{
    /// <summary>The PCM16 bytes and sample rate.</summary>
    /// <exception cref="InvalidDataException">Not RIFF/WAVE, not PCM16 or not mono.</exception>
    public static (byte[] Pcm16, int SampleRate) ReadPcm16Mono(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var span = bytes.AsSpan();
        if (span.Length < 12 || !span[..4].SequenceEqual("RIFF"u8) || !span[8..12].SequenceEqual("WAVE"u8))
        {
            throw new InvalidDataException($"{path} is not a RIFF/WAVE file.");
        }

        int? rate = null;
        var offset = 12;
        while (offset + 8 <= span.Length)
        {
            var id = span.Slice(offset, 4);
            var size = BinaryPrimitives.ReadInt32LittleEndian(span.Slice(offset + 4, 4));
            var body = span.Slice(offset + 8, Math.Min(size, span.Length - offset - 8));
            if (id.SequenceEqual("fmt "u8))
            {
                var format = BinaryPrimitives.ReadInt16LittleEndian(body);
                var channels = BinaryPrimitives.ReadInt16LittleEndian(body[2..]);
                var bits = BinaryPrimitives.ReadInt16LittleEndian(body[14..]);
                if (format != 1 || channels != 1 || bits != 16)
                {
                    throw new InvalidDataException($"{path}: need PCM 16-bit mono; got format {format}, {channels} channels, {bits} bits.");
                }

                rate = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
            }
            else if (id.SequenceEqual("data"u8))
            {
                return rate is { } r
                    ? (body[..(body.Length & ~1)].ToArray(), r)
                    : throw new InvalidDataException($"{path}: data chunk before the fmt chunk.");
            }

            offset += 8 + size + (size & 1);
        }

        throw new InvalidDataException($"{path} has no data chunk.");
    }
}
