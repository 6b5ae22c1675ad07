using System.Net;

namespace Emotion.Orleans.Client;

/// <summary>The HTTP API refused a request; carries its problem details.</summary>
public sealed class EmotionApiException : Exception
{
    /// <summary>Creates the error.</summary>
    public EmotionApiException()
    {
    }

    /// <summary>Creates the error.</summary>
    public EmotionApiException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    public EmotionApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the error from a problem-details answer.</summary>
    /// <param name="status">HTTP status.</param>
    /// <param name="title">The problem's title.</param>
    /// <param name="detail">The problem's detail.</param>
    /// <param name="reason">The problem's <c>reason</c> extension (e.g. <c>UnsupportedFormat</c>, <c>RateLimited</c>), when it has one.</param>
    /// <param name="retryAfter">The Retry-After of a 429, when given.</param>
    public EmotionApiException(HttpStatusCode status, string? title, string? detail, string? reason, TimeSpan? retryAfter)
        : base($"{(int)status} {title}: {detail}")
    {
        Status = status;
        Title = title;
        Detail = detail;
        Reason = reason;
        RetryAfter = retryAfter;
    }

    /// <summary>HTTP status (404 unknown call, 409 ended call or out-of-order input, 400 malformed input, 401, 413, 415, 429 …).</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The problem's title.</summary>
    public string? Title { get; }

    /// <summary>The problem's detail.</summary>
    public string? Detail { get; }

    /// <summary>The problem's <c>reason</c> extension, when it has one.</summary>
    public string? Reason { get; }

    /// <summary>How long to wait before retrying (429).</summary>
    public TimeSpan? RetryAfter { get; }
}
