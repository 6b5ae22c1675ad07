namespace Emotion.Orleans.Grains;

/// <summary>Creates one <see cref="ISpeechSegmenter"/> per call.</summary>
public interface ISpeechSegmenterFactory
{
    /// <summary>A fresh segmenter.</summary>
    ISpeechSegmenter Create();
}
