namespace Emotion.Orleans.Grains;

/// <summary>
/// A chunk of a call's audio: little-endian signed 16-bit mono PCM. Chunks of one call follow
/// each other in time; a gap between chunks is heard as silence.
/// </summary>
/// <param name="CallId">The call.</param>
/// <param name="Pcm16">The samples, two bytes each, little-endian.</param>
/// <param name="SampleRate">Samples per second: 16 000, or 8 000, 22 050, 24 000, 32 000, 44 100 or 48 000 (resampled to 16 000).</param>
/// <param name="Start">Offset of the first sample from the start of the call.</param>
[GenerateSerializer]
[Alias("emotion.audio-chunk")]
public sealed record AudioChunk(
    [property: Id(0)] string CallId,
    [property: Id(1)] byte[] Pcm16,
    [property: Id(2)] int SampleRate,
    [property: Id(3)] TimeSpan Start)
{
    /// <summary>Duration of the chunk at its sample rate (zero when the rate is not positive).</summary>
    public TimeSpan Duration => SampleRate > 0 ? TimeSpan.FromSeconds(Pcm16.Length / 2.0 / SampleRate) : TimeSpan.Zero;
}
