namespace Emotion.Orleans.Inference;

/// <summary>How <see cref="SpeechSegmenter"/> turns VAD probabilities into utterances.</summary>
public sealed class SpeechSegmenterOptions
{
    /// <summary>A window at or above this probability starts (or continues) speech.</summary>
    public float StartThreshold { get; set; } = 0.5f;

    /// <summary>A window below this probability counts as silence (hysteresis below <see cref="StartThreshold"/>).</summary>
    public float StopThreshold { get; set; } = 0.35f;

    /// <summary>Speech shorter than this is dropped as a blip.</summary>
    public TimeSpan MinSpeech { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Silence that ends an utterance.</summary>
    public TimeSpan MinSilence { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Audio kept before the first and after the last speech window.</summary>
    public TimeSpan SpeechPadding { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest segment; longer speech is cut into segments of this length (EndOfUtterance false).</summary>
    public TimeSpan MaxSegment { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Longest chunk accepted by one <see cref="SpeechSegmenter.Push"/>.</summary>
    public TimeSpan MaxChunk { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A threshold is outside (0, 1), the stop threshold exceeds the start one, or a duration is out of range.</exception>
    public void Validate()
    {
        if (!(StartThreshold > 0 && StartThreshold < 1) || !(StopThreshold > 0 && StopThreshold <= StartThreshold))
        {
            throw new ArgumentException("Thresholds must satisfy 0 < StopThreshold <= StartThreshold < 1.");
        }

        if (MinSpeech < TimeSpan.Zero || MinSilence <= TimeSpan.Zero || SpeechPadding < TimeSpan.Zero || MaxChunk <= TimeSpan.Zero)
        {
            throw new ArgumentException("MinSpeech and SpeechPadding must be non-negative, MinSilence and MaxChunk positive.");
        }

        if (MaxSegment < TimeSpan.FromMilliseconds(500) || SpeechPadding >= MinSilence)
        {
            throw new ArgumentException("MaxSegment must be at least 0.5 s and SpeechPadding shorter than MinSilence.");
        }
    }
}
