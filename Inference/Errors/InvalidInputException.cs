namespace Emotion.Orleans.Inference;

/// <summary>
/// An input that a recognizer refuses. Thrown before any model runs, so the caller's call state
/// is untouched; <see cref="Kind"/> says why.
/// </summary>
public sealed class InvalidInputException : Exception
{
    /// <summary>Creates the error.</summary>
    public InvalidInputException(Modality modality, InputErrorKind kind, string message)
        : base(message)
    {
        Modality = modality;
        Kind = kind;
    }

    /// <summary>Creates the error with the exception that revealed it.</summary>
    public InvalidInputException(Modality modality, InputErrorKind kind, string message, Exception innerException)
        : base(message, innerException)
    {
        Modality = modality;
        Kind = kind;
    }

    /// <summary>The modality whose input was refused.</summary>
    public Modality Modality { get; }

    /// <summary>Why it was refused.</summary>
    public InputErrorKind Kind { get; }
}
