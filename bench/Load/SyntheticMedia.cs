using Emotion.Orleans.Replay;
using Emotion.Orleans.Grains;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>
/// The media every synthetic call is made of: the sample call's speech (espeak-ng, 16 kHz) looped,
/// its frames scaled to 640×480 with a drawn face that moves a little (or without, to cost the face
/// path its detector only) encoded as JPEG, and customer-service lines written for the generator.
/// </summary>
public sealed class SyntheticMedia
{
    /// <summary>Frame size sent.</summary>
    public const int FrameWidth = 640;

    /// <summary>Frame height sent.</summary>
    public const int FrameHeight = 480;

    // The looped audio as little-endian PCM16 bytes, the chunks' wire format.
    private readonly byte[] _pcm;

    private SyntheticMedia(short[] audio, int sampleRate, IReadOnlyList<byte[]> frames, IReadOnlyList<(Speaker Speaker, string Text)> lines)
    {
        Audio = audio;
        _pcm = new byte[audio.Length * 2];
        for (var i = 0; i < audio.Length; i++)
        {
            _pcm[2 * i] = (byte)audio[i];
            _pcm[(2 * i) + 1] = (byte)(audio[i] >> 8);
        }

        SampleRate = sampleRate;
        Frames = frames;
        Lines = lines;
    }

    /// <summary>The looped audio (PCM16 samples).</summary>
    public IReadOnlyList<short> Audio { get; }

    /// <summary>Its sample rate.</summary>
    public int SampleRate { get; }

    /// <summary>The JPEG frames, cycled.</summary>
    public IReadOnlyList<byte[]> Frames { get; }

    /// <summary>The transcript lines, cycled.</summary>
    public IReadOnlyList<(Speaker Speaker, string Text)> Lines { get; }

    /// <summary>The folder shipped beside the binaries (<c>media/</c>).</summary>
    public static string DefaultFolder => Path.Combine(AppContext.BaseDirectory, "media");

    /// <summary>Loads and prepares the media.</summary>
    /// <exception cref="InvalidDataException">A file is missing or malformed.</exception>
    /// <param name="folder">The media folder.</param>
    /// <param name="withFace">Draw a face onto every frame.</param>
    public static SyntheticMedia Load(string folder, bool withFace = true)
    {
        var (pcm, rate) = WaveFile.ReadPcm16Mono(Path.Combine(folder, "audio.wav"));
        var audio = new short[pcm.Length / 2];
        Buffer.BlockCopy(pcm, 0, audio, 0, audio.Length * 2);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("PCM16 samples are read as little-endian.");
        }

        var frameFiles = Directory.Exists(Path.Combine(folder, "frames"))
            ? Directory.GetFiles(Path.Combine(folder, "frames"), "*.png").Order(StringComparer.Ordinal).ToList()
            : [];
        if (frameFiles.Count == 0)
        {
            throw new InvalidDataException($"{folder}/frames holds no PNG frames.");
        }

        var frames = frameFiles.Select((file, k) => ToJpeg(file, withFace ? k : null)).ToList();
        var lines = new List<(Speaker, string)>();
        foreach (var line in File.ReadLines(Path.Combine(folder, "transcript-lines.tsv")))
        {
            if (string.IsNullOrWhiteSpace(line) || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split('\t', 2);
            if (parts.Length != 2 || !Enum.TryParse<Speaker>(parts[0], ignoreCase: true, out var speaker))
            {
                throw new InvalidDataException($"transcript-lines.tsv: expected 'customer|agent<TAB>text'; got '{line}'.");
            }

            lines.Add((speaker, parts[1]));
        }

        return lines.Count == 0
            ? throw new InvalidDataException("transcript-lines.tsv holds no lines.")
            : new SyntheticMedia(audio, rate, frames, lines);
    }

    /// <summary>PCM16 bytes of the looped audio from <paramref name="startSample"/>, <paramref name="count"/> samples long.</summary>
    public byte[] AudioChunk(long startSample, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startSample);
        ArgumentOutOfRangeException.ThrowIfNegative(count);

        // Copied from the whole recording's bytes (piece by piece where the loop wraps): the senders
        // run inside the measured process, so a chunk costs them a copy, not a conversion per sample.
        var bytes = new byte[count * 2];
        var from = (int)(startSample % Audio.Count) * 2;
        for (var at = 0; at < bytes.Length; from = 0)
        {
            var piece = Math.Min(bytes.Length - at, _pcm.Length - from);
            _pcm.AsSpan(from, piece).CopyTo(bytes.AsSpan(at));
            at += piece;
        }

        return bytes;
    }

    /// <summary>The same stretch as <see cref="AudioChunk"/>, as floats in [-1, 1].</summary>
    public float[] AudioSamples(long startSample, int count)
    {
        var samples = new float[count];
        for (var i = 0; i < count; i++)
        {
            samples[i] = Audio[(int)((startSample + i) % Audio.Count)] / 32768f;
        }

        return samples;
    }

    private static byte[] ToJpeg(string png, int? face)
    {
        using var image = Image.Load<Rgb24>(png);
        image.Mutate(x => x.Resize(FrameWidth, FrameHeight));
        if (face is { } k)
        {
            // Small head movements and speech from frame to frame.
            DrawnFace.Paint(image, 320 + (24 * Math.Sin(k * 0.7)), 230 + (12 * Math.Cos(k * 0.5)), 0.95 + (0.08 * Math.Sin(k * 0.3)), (1 + Math.Sin(k * 1.3)) / 2);
        }

        using var jpeg = new MemoryStream();
        image.SaveAsJpeg(jpeg, new JpegEncoder { Quality = 85 });
        return jpeg.ToArray();
    }
}
