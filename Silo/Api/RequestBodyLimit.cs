using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Emotion.Orleans.Silo;

/// <summary>Endpoint metadata: the largest body an endpoint reads and the content types it takes.</summary>
/// <param name="MaxBytes">Largest body, in bytes.</param>
/// <param name="ContentTypes">Media types accepted (a body without a Content-Type is taken as the first of them when <paramref name="AllowMissingContentType"/>).</param>
/// <param name="AllowMissingContentType">Whether a body may come without a Content-Type.</param>
public sealed record RequestBodyLimit(long MaxBytes, IReadOnlyList<string> ContentTypes, bool AllowMissingContentType);

/// <summary>
/// Enforces <see cref="RequestBodyLimit"/> before an endpoint sees its body: a wrong content type is
/// 415, a declared Content-Length over the limit is 413 without reading a byte, and a body without
/// one (chunked) is read only up to the limit, then 413. The body that passes is held in memory for
/// the endpoint (it needs all of it anyway), so a slow or oversized upload never reaches a grain.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<RequestBodyLimit>();
        if (limit is null)
        {
            await next(context);
            return;
        }

        var request = context.Request;
        if (!AcceptsContentType(limit, request.ContentType))
        {
            throw new ApiRequestException(
                StatusCodes.Status415UnsupportedMediaType,
                "Unsupported media type",
                "UnsupportedMediaType",
                $"This endpoint takes {string.Join(", ", limit.ContentTypes)}.");
        }

        if (request.ContentLength > limit.MaxBytes)
        {
            throw ApiRequestException.TooLarge(limit.MaxBytes);
        }

        // The server stops reading past the limit too, where it can (Kestrel; not the test server).
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } server)
        {
            server.MaxRequestBodySize = limit.MaxBytes;
        }

        var body = await ReadAsync(request, limit.MaxBytes, context.RequestAborted);
        context.Features.Set(new BufferedBody(body));
        request.Body = new MemoryStream(body, writable: false);
        await next(context);
    }

    private static bool AcceptsContentType(RequestBodyLimit limit, string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return limit.AllowMissingContentType;
        }

        return MediaTypeHeaderValue.TryParse(contentType, out var media)
            && limit.ContentTypes.Any(t => media.MediaType.Equals(t, StringComparison.OrdinalIgnoreCase));
    }

    private static async Task<byte[]> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        // Declared length: one exact buffer. Otherwise grow, and stop one byte past the limit.
        var buffer = new byte[request.ContentLength is { } length ? (int)length : (int)Math.Min(maxBytes + 1, 64 * 1024)];
        var read = 0;
        while (true)
        {
            if (read == buffer.Length)
            {
                if (request.ContentLength is not null || read > maxBytes)
                {
                    break;
                }

                Array.Resize(ref buffer, (int)Math.Min(maxBytes + 1, (long)buffer.Length * 2));
            }

            var n = await request.Body.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        if (read > maxBytes || (request.ContentLength is not null && await request.Body.ReadAsync(new byte[1], cancellationToken) > 0))
        {
            throw ApiRequestException.TooLarge(maxBytes);
        }

        return read == buffer.Length ? buffer : buffer[..read];
    }
}

/// <summary>The request body that passed <see cref="RequestBodyLimitMiddleware"/>.</summary>
/// <param name="Bytes">The whole body.</param>
internal sealed record BufferedBody(byte[] Bytes);
