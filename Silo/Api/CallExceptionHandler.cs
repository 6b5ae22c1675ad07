using Emotion.Orleans.Grains;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Emotion.Orleans.Silo;

/// <summary>Turns the calls' typed errors into problem details: 404 unknown call, 409 ended call or out-of-order input, 400 malformed input.</summary>
internal sealed class CallExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title) = exception switch
        {
            CallNotFoundException => (StatusCodes.Status404NotFound, "Unknown call"),
            CallEndedException => (StatusCodes.Status409Conflict, "Call ended"),
            OutOfOrderTimestampException => (StatusCodes.Status409Conflict, "Out-of-order timestamp"),
            MalformedInputException => (StatusCodes.Status400BadRequest, "Malformed input"),
            BadHttpRequestException bad => (bad.StatusCode, "Bad request"),
            _ => (0, ""),
        };
        if (status == 0)
        {
            return false;
        }

        var details = new ProblemDetails { Status = status, Title = title, Detail = exception.Message };
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
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = details, Exception = exception });
    }
}
