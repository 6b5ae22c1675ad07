namespace Emotion.Orleans.Inference;

/// <summary>Why an input was refused; stable values that callers and metrics can switch on.</summary>
public enum InputErrorKind
{
    /// <summary>No content: empty text, zero samples, zero bytes.</summary>
    Empty,

    /// <summary>Larger than the configured limit (characters, samples, bytes or pixels).</summary>
    TooLarge,

    /// <summary>Audio samples that are NaN or infinite.</summary>
    NotFinite,

    /// <summary>Audio at a sample rate that is neither 16 kHz nor resampleable.</summary>
    UnsupportedSampleRate,

    /// <summary>Bytes that are not a supported image format (JPEG or PNG).</summary>
    UnsupportedFormat,

    /// <summary>An image whose bytes are truncated or corrupt.</summary>
    CorruptImage,

    /// <summary>Text that holds nothing to encode (only whitespace or control characters) or is not valid UTF-16.</summary>
    InvalidText,

    /// <summary>A tensor or feature vector with the wrong length.</summary>
    WrongShape,
}
