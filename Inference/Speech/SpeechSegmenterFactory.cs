namespace Emotion.Orleans.Inference;

/// <summary>
/// Creates a <see cref="SpeechSegmenter"/> per call over the one shared <see cref="SileroVad"/>
/// session, with the configured options. Thread-safe; it does not own the VAD.
/// </summary>
public sealed class SpeechSegmenterFactory
{
    private readonly SileroVad _vad;
    private readonly SpeechSegmenterOptions _options;

    /// <summary>Creates the factory, checking the options once.</summary>
    /// <exception cref="ArgumentException">The options are inconsistent.</exception>
    public SpeechSegmenterFactory(SileroVad vad, SpeechSegmenterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vad);
        options ??= new SpeechSegmenterOptions();
        options.Validate();
        _vad = vad;
        _options = options;
    }

    /// <summary>The shared VAD the segmenters score with (by default; a host may batch their windows instead).</summary>
    public SileroVad Vad => _vad;

    /// <summary>The options every segmenter gets.</summary>
    public SpeechSegmenterOptions Options => _options;

    /// <summary>A fresh segmenter for one call's audio.</summary>
    public SpeechSegmenter Create() => new(_vad, _options);
}
