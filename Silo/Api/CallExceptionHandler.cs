using System.Text.Json;
using Emotion.Orleans.Grains;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Emotion.Orleans.Silo;

/// <summary>
/// Turns every exception into problem details: 404 unknown call, 409 ended call or out-of-order
/// input, 410 a timeline removed after its retention, 400 malformed input or body (bad JSON, wrong types, bad query values), 413/415 from the
/// body checks, and 500 with only a trace id for anything else — never a message or stack trace of
/// an unexpected error, in any environment.
/// </summary>
internal sealed partial class CallExceptionHandler(IProblemDetailsService problems, ILogger<CallExceptionHandler> logger) : IExceptionHandler
{
    /// <summary><see cref="HttpContext.Items"/> key of the request's (grain key, call id) pair (route values are gone by the time errors are handled).</summary>
    public const string CallKeyItem = "emotion.call-key";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title) = exception switch
        {
            CallNotFoundException => (StatusCodes.Status404NotFound, "Unknown call"),
            CallEndedException => (StatusCodes.Status409Conflict, "Call ended"),
            TimelineRemovedException => (StatusCodes.Status410Gone, "Timeline removed"),
            OutOfOrderTimestampException => (StatusCodes.Status409Conflict, "Out-of-order timestamp"),
            MalformedInputException => (StatusCodes.Status400BadRequest, "Malformed input"),
            ApiRequestException api => (api.StatusCode, api.Title),
            BadHttpRequestException { InnerException: JsonException } => (StatusCodes.Status400BadRequest, "Malformed JSON"),
            BadHttpRequestException bad => (bad.StatusCode, "Bad request"),
            JsonException => (StatusCodes.Status400BadRequest, "Malformed JSON"),
            _ => (StatusCodes.Status500InternalServerError, "Internal error"),
        };

        var details = new ProblemDetails { Status = status, Title = title, Detail = status == StatusCodes.Status500InternalServerError ? null : Detail(httpContext, exception) };
        switch (exception)
        {
            case MalformedInputException malformed:
                details.Extensions["modality"] = malformed.Modality.ToString();
                details.Extensions["reason"] = malformed.Reason;
                break;
            case OutOfOrderTimestampException order:
                details.Extensions["modality"] = order.Modality.ToString();
                details.Extensions["received"] = order.Received;
                details.Extensions["expectedAtLeast"] = order.ExpectedAtLeast;
                break;
            case ApiRequestException api:
                details.Extensions["reason"] = api.Reason;
                break;
            case JsonException or BadHttpRequestException { InnerException: JsonException }:
                details.Extensions["reason"] = "MalformedJson";
                break;
        }

        if (status == StatusCodes.Status500InternalServerError)
        {
            LogUnexpected(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = details, Exception = exception });
    }

    // The grain key is {tenant}/{id}: the caller knows its call as {id}. A JSON error names where it
    // failed (path, line), not the bytes around it.
    private static string Detail(HttpContext httpContext, Exception exception)
    {
        var message = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } bad => $"{bad.Message} {JsonWhere(json)}",
            JsonException json => $"The body is not valid JSON for this request. {JsonWhere(json)}",
            _ => exception.Message,
        };
        if (httpContext.Items[CallKeyItem] is (string key, string id))
        {
            message = message.Replace(key, id, StringComparison.Ordinal);
        }

        return message;
    }

    private static string JsonWhere(JsonException json) => $"Path: {json.Path ?? "$"}, line {json.LineNumber ?? 0}, byte {json.BytePositionInLine ?? 0}.";

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error on {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, PathString path);
}
