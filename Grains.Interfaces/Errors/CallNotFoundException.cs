namespace Emotion.Orleans.Grains;

/// <summary>The call was never started.</summary>
[GenerateSerializer]
[Alias("emotion.call-not-found")]
public sealed class CallNotFoundException : CallException
{
    /// <summary>Creates the error.</summary>
    public CallNotFoundException()
    {
    }

    /// <summary>Creates the error.</summary>
    public CallNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    public CallNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the error for a call id.</summary>
    public static CallNotFoundException For(string callId) =>
        new($"Call '{callId}' has not been started.") { CallId = callId };
}
