namespace Emotion.Orleans.Grains;

/// <summary>The call has ended and takes no more inputs.</summary>
[GenerateSerializer]
[Alias("emotion.call-ended")]
public sealed class CallEndedException : CallException
{
    /// <summary>Creates the error.</summary>
    public CallEndedException()
    {
    }

    /// <summary>Creates the error.</summary>
    public CallEndedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    public CallEndedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the error for a call id.</summary>
    public static CallEndedException For(string callId) =>
        new($"Call '{callId}' has ended; it takes no more inputs.") { CallId = callId };
}
