namespace Emotion.Orleans.Grains;

/// <summary>An input whose timestamp goes back before what the call already received for that modality.</summary>
[GenerateSerializer]
[Alias("emotion.out-of-order")]
public sealed class OutOfOrderTimestampException : CallException
{
    /// <summary>Creates the error.</summary>
    public OutOfOrderTimestampException()
    {
    }

    /// <summary>Creates the error.</summary>
    public OutOfOrderTimestampException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    public OutOfOrderTimestampException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the error for one input.</summary>
    public OutOfOrderTimestampException(string callId, InputModality modality, TimeSpan received, TimeSpan expectedAtLeast)
        : base($"Call '{callId}': {modality} input at {received} is earlier than {expectedAtLeast}, where that modality already is.")
    {
        CallId = callId;
        Modality = modality;
        Received = received;
        ExpectedAtLeast = expectedAtLeast;
    }

    /// <summary>The input's modality.</summary>
    [Id(0)]
    public InputModality Modality { get; init; }

    /// <summary>The refused timestamp.</summary>
    [Id(1)]
    public TimeSpan Received { get; init; }

    /// <summary>The earliest timestamp the modality accepts now.</summary>
    [Id(2)]
    public TimeSpan ExpectedAtLeast { get; init; }
}
