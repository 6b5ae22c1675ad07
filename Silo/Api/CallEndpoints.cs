using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Emotion.Orleans.Grains;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Orleans.Streams;

namespace Emotion.Orleans.Silo;

/// <summary>The HTTP API of calls: <c>/calls/{id}/…</c>.</summary>
public static class CallEndpoints
{
    /// <summary>Largest request body accepted for audio or a frame.</summary>
    public const long MaxBodyBytes = 8 * 1024 * 1024;

    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapCallEndpoints(this IEndpointRouteBuilder app)
    {
        var calls = app.MapGroup("/calls/{id}").WithTags("Calls");
        calls.MapPost("/start", (string id, IGrainFactory grains) => grains.GetGrain<ICallSessionGrain>(id).StartCall())
            .WithSummary("Starts a call.");
        calls.MapPost("/end", (string id, IGrainFactory grains) => grains.GetGrain<ICallSessionGrain>(id).EndCall())
            .WithSummary("Ends a call; its timeline stays readable.");
        calls.MapGet("/", (string id, IGrainFactory grains) => grains.GetGrain<ICallSessionGrain>(id).GetStatus())
            .WithSummary("The call's state and counters.");
        calls.MapGet("/timeline", GetTimelineAsync)
            .WithSummary($"A page of the fused results so far: ?from= first sequence number (default 0), ?max= most results (1–{CallTimeline.MaxPageSize}, default {CallTimeline.MaxPageSize}); \"next\" is the from of the next page, null at the end.");
        calls.MapPost("/text", SendTextAsync)
            .WithSummary("Sends a transcript segment.");
        calls.MapPost("/audio", SendAudioAsync)
            .WithSummary("Sends audio: raw PCM16 body (application/octet-stream, ?start=hh:mm:ss.fff&sampleRate=16000) or JSON AudioInput.")
            .Accepts<AudioInput>("application/json", "application/octet-stream");
        calls.MapPost("/frames", SendFrameAsync)
            .WithSummary("Sends a video frame: JPEG or PNG body, ?timestamp=hh:mm:ss.fff.")
            .Accepts<byte[]>("image/jpeg", "image/png");
        calls.MapGet("/events", FollowAsync)
            .WithSummary("Server-sent events: a \"status\" event, then a \"result\" event for each fused result of the call as it is produced.");
        return app;
    }

    private static async Task<Results<Ok<CallTimeline>, ProblemHttpResult>> GetTimelineAsync(
        string id, IGrainFactory grains, [FromQuery] long? from, [FromQuery] int? max)
    {
        if (from is < 0 || max is < 1 or > CallTimeline.MaxPageSize)
        {
            return TypedResults.Problem($"?from= must not be negative and ?max= must be in 1–{CallTimeline.MaxPageSize}.", statusCode: StatusCodes.Status400BadRequest);
        }

        return TypedResults.Ok(await grains.GetGrain<ICallSessionGrain>(id).GetTimeline(from ?? 0, max ?? CallTimeline.MaxPageSize));
    }

    private static async Task<Ok<InputAccepted>> SendTextAsync(string id, TextInput input, IGrainFactory grains)
    {
        var result = await grains.GetGrain<ICallSessionGrain>(id).SendText(new TranscriptSegment(id, input.Speaker, input.Text, input.Start, input.End));
        return TypedResults.Ok(new InputAccepted(result is null ? [] : [result]));
    }

    private static async Task<Results<Ok<InputAccepted>, ProblemHttpResult>> SendAudioAsync(
        string id, HttpRequest request, IGrainFactory grains, [FromQuery] TimeSpan? start, [FromQuery] int? sampleRate)
    {
        AudioChunk chunk;
        if (request.HasJsonContentType())
        {
            var input = await request.ReadFromJsonAsync<AudioInput>(request.HttpContext.RequestAborted);
            if (input is null || !TryDecodeBase64(input.Pcm16Base64, out var pcm))
            {
                return TypedResults.Problem("The body must be an AudioInput with base64 PCM16 samples.", statusCode: StatusCodes.Status400BadRequest);
            }

            chunk = new AudioChunk(id, pcm, input.SampleRate, input.Start);
        }
        else
        {
            if (start is null)
            {
                return TypedResults.Problem("Raw audio needs ?start= (offset from the start of the call).", statusCode: StatusCodes.Status400BadRequest);
            }

            chunk = new AudioChunk(id, await ReadBodyAsync(request), sampleRate ?? 16_000, start.Value);
        }

        var results = await grains.GetGrain<ICallSessionGrain>(id).SendAudio(chunk);
        return TypedResults.Ok(new InputAccepted(results));
    }

    private static async Task<Results<Ok<InputAccepted>, ProblemHttpResult>> SendFrameAsync(
        string id, HttpRequest request, IGrainFactory grains, [FromQuery] TimeSpan? timestamp)
    {
        if (timestamp is null)
        {
            return TypedResults.Problem("A frame needs ?timestamp= (offset from the start of the call).", statusCode: StatusCodes.Status400BadRequest);
        }

        var result = await grains.GetGrain<ICallSessionGrain>(id).SendFrame(new VideoFrame(id, await ReadBodyAsync(request), timestamp.Value));
        return TypedResults.Ok(new InputAccepted(result is null ? [] : [result]));
    }

    private static async Task<IResult> FollowAsync(string id, IClusterClient client, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var status = await client.GetGrain<ICallSessionGrain>(id).GetStatus();
        if (status.State == CallState.Unknown)
        {
            throw CallNotFoundException.For(id);
        }

        // Subscribe before answering, so no result produced after the response starts is missed.
        var channel = Channel.CreateUnbounded<FusedResult>(new UnboundedChannelOptions { SingleReader = true });
        var stream = client.GetStreamProvider(CallStreams.Provider).GetStream<FusedResult>(StreamId.Create(CallStreams.Results, id));
        var handle = await stream.SubscribeAsync((result, _) =>
        {
            channel.Writer.TryWrite(result);
            return Task.CompletedTask;
        });
        httpContext.Response.RegisterForDisposeAsync(new Unsubscriber(handle));
        return TypedResults.ServerSentEvents(ReadEventsAsync(status, channel.Reader, cancellationToken));
    }

    // First a "status" event (the client knows it is live), then one "result" event per fused result.
    private static async IAsyncEnumerable<SseItem<object>> ReadEventsAsync(CallStatus status, ChannelReader<FusedResult> results, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new SseItem<object>(status, "status");
        await foreach (var result in results.ReadAllAsync(cancellationToken))
        {
            yield return new SseItem<object>(result, "result") { EventId = result.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        return buffer.Length > MaxBodyBytes
            ? throw new BadHttpRequestException($"The body is larger than {MaxBodyBytes} bytes.", StatusCodes.Status413PayloadTooLarge)
            : buffer.ToArray();
    }

    private sealed class Unsubscriber(StreamSubscriptionHandle<FusedResult> handle) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await handle.UnsubscribeAsync();
    }

    private static bool TryDecodeBase64(string? text, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var buffer = new byte[text.Length * 3 / 4];
        if (!Convert.TryFromBase64String(text, buffer, out var written))
        {
            return false;
        }

        bytes = buffer[..written];
        return true;
    }
}
