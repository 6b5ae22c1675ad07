namespace Emotion.Orleans.Inference;

/// <summary>How MFCC frames are normalised before the speech CNN; recorded in the CNN's ONNX metadata.</summary>
public enum MfccNormalization
{
    /// <summary>Each coefficient to zero mean and unit variance over the utterance.</summary>
    Utterance,

    /// <summary>Only the utterance's mean level (coefficient 0) removed; spectral shape and dynamics kept, scaled by 0.1.</summary>
    Level,
}
