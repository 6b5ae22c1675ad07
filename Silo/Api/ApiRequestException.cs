namespace Emotion.Orleans.Silo;

/// <summary>A request the API refuses before it reaches a call (bad call id, body too large, wrong content type).</summary>
public sealed class ApiRequestException : Exception
{
    /// <summary>Creates the error.</summary>
    public ApiRequestException()
        : this(StatusCodes.Status400BadRequest, "Bad request", "BadRequest", "The request is malformed.")
    {
    }

    /// <summary>Creates the error.</summary>
    public ApiRequestException(string message)
        : this(StatusCodes.Status400BadRequest, "Bad request", "BadRequest", message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    public ApiRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = StatusCodes.Status400BadRequest;
        Title = "Bad request";
        Reason = "BadRequest";
    }

    /// <summary>Creates the error.</summary>
    /// <param name="statusCode">HTTP status.</param>
    /// <param name="title">Short title of the problem.</param>
    /// <param name="reason">Stable reason code (the problem's <c>reason</c> extension).</param>
    /// <param name="message">What was wrong.</param>
    public ApiRequestException(int statusCode, string title, string reason, string message)
        : base(message)
    {
        StatusCode = statusCode;
        Title = title;
        Reason = reason;
    }

    /// <summary>HTTP status.</summary>
    public int StatusCode { get; }

    /// <summary>Short title of the problem.</summary>
    public string Title { get; }

    /// <summary>Stable reason code.</summary>
    public string Reason { get; }

    /// <summary>The call id is not 1–100 letters, digits, '-', '_' or '.'.</summary>
    public static ApiRequestException InvalidCallId() =>
        new(StatusCodes.Status400BadRequest, "Malformed input", "InvalidCallId", $"A call id is 1–{TenantClaims.MaxCallIdLength} letters, digits, '-', '_' or '.'.");

    /// <summary>The body is over the endpoint's limit.</summary>
    public static ApiRequestException TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "Body too large", "TooLarge", $"The body is larger than {limit} bytes, this endpoint's limit.");
}
