namespace Emotion.Orleans.Inference;

/// <summary>A stretch of speech cut from a call's audio by voice-activity detection.</summary>
/// <param name="Samples">16 kHz mono samples in [-1, 1].</param>
/// <param name="Start">Offset of the first sample from the start of the call's audio.</param>
/// <param name="End">Offset just past the last sample.</param>
/// <param name="EndOfUtterance">True when speech ended (silence followed); false when the segment was cut at the maximum length.</param>
public sealed record SpeechSegment(float[] Samples, TimeSpan Start, TimeSpan End, bool EndOfUtterance);
