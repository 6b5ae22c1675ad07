namespace Emotion.Orleans.Grains;

/// <summary>
/// An input (transcript segment, audio chunk or video frame) that cannot be used. Nothing of it
/// was applied: the call's state is as before.
/// </summary>
[GenerateSerializer]
[Alias("emotion.malformed-input")]
public sealed class MalformedInputException : CallException
{
    /// <summary>Creates the error.</summary>
    public MalformedInputException()
    {
    }

    /// <summary>Creates the error.</summary>
    public MalformedInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    public MalformedInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the error for one input.</summary>
    public MalformedInputException(string callId, InputModality modality, string reason, string message)
        : base(message)
    {
        CallId = callId;
        Modality = modality;
        Reason = reason;
    }

    /// <summary>The input's modality.</summary>
    [Id(0)]
    public InputModality Modality { get; init; }

    /// <summary>
    /// Why, as a stable word: the recognizer's error kind (Empty, TooLarge, NotFinite,
    /// UnsupportedSampleRate, UnsupportedFormat, CorruptImage, InvalidText, WrongShape) or OddByteCount.
    /// </summary>
    [Id(1)]
    public string Reason { get; init; } = "";
}
