namespace Emotion.Orleans.Grains.Tests;

/// <summary>Synthetic call audio: tone bursts (heard as speech by the energy segmenter) and silence, cut into chunks.</summary>
public static class TestAudio
{
    public const int Rate = 16_000;

    public static float[] Tone(TimeSpan duration, float amplitude, float hz = 220f) =>
        [.. Enumerable.Range(0, Samples(duration)).Select(i => amplitude * MathF.Sin(2 * MathF.PI * hz * i / Rate))];

    public static float[] Silence(TimeSpan duration) => new float[Samples(duration)];

    /// <summary>Cuts the samples into PCM16 chunks of <paramref name="chunk"/> starting at <paramref name="start"/>.</summary>
    public static IEnumerable<AudioChunk> Chunks(string callId, float[] samples, TimeSpan start, TimeSpan chunk)
    {
        var size = Samples(chunk);
        for (var offset = 0; offset < samples.Length; offset += size)
        {
            var part = samples.AsSpan(offset, Math.Min(size, samples.Length - offset));
            yield return new AudioChunk(callId, Pcm16.FromFloats(part), Rate, start + TimeSpan.FromSeconds((double)offset / Rate));
        }
    }

    private static int Samples(TimeSpan duration) => (int)Math.Round(duration.TotalSeconds * Rate);
}
