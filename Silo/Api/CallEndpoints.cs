using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Emotion.Orleans.Grains;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Emotion.Orleans.Silo;

/// <summary>
/// The HTTP API of calls: <c>/calls/{id}/…</c>. Every endpoint needs a tenant (API key), is rate
/// limited per tenant and addresses the tenant's own call, grain key <c>{tenant}/{id}</c>; answers
/// name the call by the id the caller used.
/// </summary>
public static class CallEndpoints
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapCallEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var limits = app.ServiceProvider.GetRequiredService<IOptions<ApiOptions>>().Value;
        var calls = app.MapGroup("/calls/{id}")
            .WithTags("Calls")
            .RequireAuthorization(HttpApiExtensions.TenantPolicy)
            .RequireRateLimiting(HttpApiExtensions.TenantRateLimitPolicy)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        calls.MapPost("/start", async (string id, HttpContext http, IGrainFactory grains) => AsSeen(await Call(grains, http, id).StartCall(), id))
            .WithSummary("Starts a call.");
        calls.MapPost("/end", async (string id, HttpContext http, IGrainFactory grains) => AsSeen(await Call(grains, http, id).EndCall(), id))
            .WithSummary("Ends a call; its timeline stays readable and its event streams close.");
        calls.MapGet("/", async (string id, HttpContext http, IGrainFactory grains) => AsSeen(await Call(grains, http, id).GetStatus(), id) is { State: not CallState.Unknown } status ? status : throw CallNotFoundException.For(id))
            .WithSummary("The call's state and counters.");
        calls.MapGet("/timeline", GetTimelineAsync)
            .WithSummary($"A page of the fused results so far: ?from= first sequence number (default 0), ?max= most results (1–{CallTimeline.MaxPageSize}, default {CallTimeline.MaxPageSize}); \"next\" is the from of the next page, null at the end.");
        calls.MapPost("/text", SendTextAsync)
            .WithSummary("Sends a transcript segment.")
            .WithMetadata(new RequestBodyLimit(limits.MaxTextBodyBytes, ["application/json"], AllowMissingContentType: false))
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        calls.MapPost("/audio", SendAudioAsync)
            .WithSummary("Sends audio: raw PCM16 body (application/octet-stream, ?start=hh:mm:ss.fff&sampleRate=16000) or JSON AudioInput.")
            .Accepts<AudioInput>("application/json", "application/octet-stream")
            .WithMetadata(new RequestBodyLimit(limits.MaxAudioBodyBytes, ["application/octet-stream", "application/json"], AllowMissingContentType: true))
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        calls.MapPost("/frames", SendFrameAsync)
            .WithSummary("Sends a video frame: JPEG or PNG body, ?timestamp=hh:mm:ss.fff.")
            .Accepts<byte[]>("image/jpeg", "image/png", "application/octet-stream")
            .WithMetadata(new RequestBodyLimit(limits.MaxFrameBodyBytes, ["image/jpeg", "image/png", "application/octet-stream"], AllowMissingContentType: true))
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        calls.MapGet("/events", FollowAsync)
            .WithSummary("Server-sent events: \"status\", then \"result\" per fused result (\"dropped\" with a count when the reader fell behind), then \"end\" with the final status when the call ends; the stream then closes.");
        return app;
    }

    private static async Task<Results<Ok<CallTimeline>, ProblemHttpResult>> GetTimelineAsync(
        string id, HttpContext http, IGrainFactory grains, [FromQuery] long? from, [FromQuery] int? max)
    {
        if (from is < 0 || max is < 1 or > CallTimeline.MaxPageSize)
        {
            return TypedResults.Problem($"?from= must not be negative and ?max= must be in 1–{CallTimeline.MaxPageSize}.", statusCode: StatusCodes.Status400BadRequest);
        }

        return TypedResults.Ok(AsSeen(await Call(grains, http, id).GetTimeline(from ?? 0, max ?? CallTimeline.MaxPageSize), id));
    }

    private static async Task<Ok<InputAccepted>> SendTextAsync(string id, TextInput input, HttpContext http, IGrainFactory grains)
    {
        if (input.Text is null)
        {
            throw new ApiRequestException(StatusCodes.Status400BadRequest, "Malformed input", "MissingText", "A transcript segment needs \"text\".");
        }

        var key = CallKey(http, id);
        var result = await grains.GetGrain<ICallSessionGrain>(key).SendText(new TranscriptSegment(key, input.Speaker, input.Text, input.Start, input.End));
        return TypedResults.Ok(new InputAccepted(result is null ? [] : [AsSeen(result, id)]));
    }

    private static async Task<Results<Ok<InputAccepted>, ProblemHttpResult>> SendAudioAsync(
        string id, HttpContext http, IGrainFactory grains, [FromQuery] TimeSpan? start, [FromQuery] int? sampleRate)
    {
        var key = CallKey(http, id);
        AudioChunk chunk;
        if (http.Request.HasJsonContentType())
        {
            var input = await http.Request.ReadFromJsonAsync<AudioInput>(http.RequestAborted);
            if (input is null || !TryDecodeBase64(input.Pcm16Base64, out var pcm))
            {
                return TypedResults.Problem("The body must be an AudioInput with base64 PCM16 samples.", statusCode: StatusCodes.Status400BadRequest, title: "Malformed input");
            }

            chunk = new AudioChunk(key, pcm, input.SampleRate, input.Start);
        }
        else
        {
            if (start is null)
            {
                return TypedResults.Problem("Raw audio needs ?start= (offset from the start of the call).", statusCode: StatusCodes.Status400BadRequest, title: "Malformed input");
            }

            chunk = new AudioChunk(key, Body(http), sampleRate ?? 16_000, start.Value);
        }

        var results = await grains.GetGrain<ICallSessionGrain>(key).SendAudio(chunk);
        return TypedResults.Ok(new InputAccepted([.. results.Select(r => AsSeen(r, id))]));
    }

    private static async Task<Results<Ok<InputAccepted>, ProblemHttpResult>> SendFrameAsync(
        string id, HttpContext http, IGrainFactory grains, [FromQuery] TimeSpan? timestamp)
    {
        var key = CallKey(http, id);
        if (timestamp is null)
        {
            return TypedResults.Problem("A frame needs ?timestamp= (offset from the start of the call).", statusCode: StatusCodes.Status400BadRequest, title: "Malformed input");
        }

        var result = await grains.GetGrain<ICallSessionGrain>(key).SendFrame(new VideoFrame(key, Body(http), timestamp.Value));
        return TypedResults.Ok(new InputAccepted(result is null ? [] : [AsSeen(result, id)]));
    }

    private static async Task<IResult> FollowAsync(string id, IClusterClient client, HttpContext http, IOptions<ApiOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var key = CallKey(http, id);
        var call = client.GetGrain<ICallSessionGrain>(key);
        if ((await call.GetStatus()).State == CallState.Unknown)
        {
            throw CallNotFoundException.For(id);
        }

        // Subscribe before answering (and before reading the status the stream opens with), so no
        // result or end produced after the response starts is missed.
        var follower = new CallFollower(options.Value.EventsBufferSize);
        var provider = client.GetStreamProvider(CallStreams.Provider);
        var results = await provider.GetStream<FusedResult>(StreamId.Create(CallStreams.Results, key)).SubscribeAsync((result, _) => follower.OnResult(result));
        http.Response.RegisterForDisposeAsync(new Unsubscriber(results.UnsubscribeAsync));
        var ends = await provider.GetStream<CallStatus>(StreamId.Create(CallStreams.Status, key)).SubscribeAsync((status, _) => follower.OnStatus(status));
        http.Response.RegisterForDisposeAsync(new Unsubscriber(ends.UnsubscribeAsync));
        var status = await call.GetStatus();
        await follower.OnStatus(status);
        return TypedResults.ServerSentEvents(ReadEventsAsync(AsSeen(status, id), id, follower, options.Value.EventsEndGrace, time, cancellationToken));
    }

    // "status"; then "result" per fused result ("dropped" first when the buffer lost some); then, once
    // the call ended and its last result went out (or the grace passed), "end" and the stream closes.
    private static async IAsyncEnumerable<SseItem<object>> ReadEventsAsync(
        CallStatus status, string id, CallFollower follower, TimeSpan endGrace, TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new SseItem<object>(status, "status");
        await foreach (var item in follower.ReadAsync(status.ResultCount, endGrace, time, cancellationToken))
        {
            yield return item switch
            {
                FusedResult result => new SseItem<object>(AsSeen(result, id), "result") { EventId = result.Sequence.ToString(CultureInfo.InvariantCulture) },
                CallStatus end => new SseItem<object>(AsSeen(end, id), "end"),
                DroppedResults dropped => new SseItem<object>(dropped, "dropped"),
                _ => throw new InvalidOperationException("Unknown follower item."),
            };
        }
    }

    private static ICallSessionGrain Call(IGrainFactory grains, HttpContext http, string id) => grains.GetGrain<ICallSessionGrain>(CallKey(http, id));

    private static string CallKey(HttpContext http, string id)
    {
        if (!TenantClaims.IsSafeId(id, TenantClaims.MaxCallIdLength))
        {
            throw ApiRequestException.InvalidCallId();
        }

        var key = TenantClaims.CallKey(TenantClaims.TenantOf(http.User), id);
        http.Items[CallExceptionHandler.CallKeyItem] = (key, id);
        return key;
    }

    private static byte[] Body(HttpContext http) =>
        http.Features.Get<BufferedBody>()?.Bytes ?? throw new InvalidOperationException("The endpoint has no RequestBodyLimit.");

    private static CallStatus AsSeen(CallStatus status, string id) => status with { CallId = id };

    private static CallTimeline AsSeen(CallTimeline timeline, string id) => timeline with { CallId = id, Results = [.. timeline.Results.Select(r => AsSeen(r, id))] };

    private static FusedResult AsSeen(FusedResult result, string id) => result with { CallId = id };

    private sealed class Unsubscriber(Func<Task> unsubscribe) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await unsubscribe();
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
