namespace Emotion.Orleans.Grains;

/// <summary>Base of the errors a call refuses an operation with; the call itself keeps working.</summary>
[GenerateSerializer]
[Alias("emotion.call-exception")]
public abstract class CallException : Exception
{
    /// <summary>Creates the error.</summary>
    protected CallException()
    {
    }

    /// <summary>Creates the error.</summary>
    protected CallException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    protected CallException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The call.</summary>
    [Id(0)]
    public string CallId { get; init; } = "";
}
