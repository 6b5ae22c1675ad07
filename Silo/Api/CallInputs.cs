using Emotion.Orleans.Grains;

namespace Emotion.Orleans.Silo;

/// <summary>A transcript segment posted to <c>/calls/{id}/text</c>.</summary>
/// <param name="Speaker">customer or agent.</param>
/// <param name="Text">What was said.</param>
/// <param name="Start">Offset from the start of the call (e.g. "00:00:03.200").</param>
/// <param name="End">Offset of the end of the segment.</param>
public sealed record TextInput(Speaker Speaker, string Text, TimeSpan Start, TimeSpan End);

/// <summary>An audio chunk posted as JSON to <c>/calls/{id}/audio</c>.</summary>
/// <param name="Pcm16Base64">Little-endian PCM16 mono samples, base64.</param>
/// <param name="SampleRate">Samples per second: 16 000, or 8 000, 22 050, 24 000, 32 000, 44 100 or 48 000 (resampled).</param>
/// <param name="Start">Offset of the first sample from the start of the call.</param>
public sealed record AudioInput(string Pcm16Base64, int SampleRate, TimeSpan Start);

/// <summary>The fused results an input produced (often none: results come on utterance ends and at the cadence).</summary>
/// <param name="Results">The results, in sequence order.</param>
public sealed record InputAccepted(IReadOnlyList<FusedResult> Results);
