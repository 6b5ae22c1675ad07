using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Emotion.Orleans.Grains;

namespace Emotion.Orleans.Client;

/// <summary>
/// The calls' HTTP API from .NET: start, send text / audio / frames, end, read status and timeline,
/// and follow the results as server-sent events until the call ends. Every request carries the
/// tenant's API key (<c>X-Api-Key</c>); a refused request throws <see cref="EmotionApiException"/>.
/// </summary>
/// <param name="http">A client whose <see cref="HttpClient.BaseAddress"/> is the API (e.g. <c>http://localhost:5000</c>); not disposed here.</param>
/// <param name="apiKey">The tenant's API key.</param>
public sealed class EmotionHttpCallClient(HttpClient http, string apiKey)
{
    /// <summary>Header that carries the API key.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly HttpClient _http = http ?? throw new ArgumentNullException(nameof(http));
    private readonly string _apiKey = !string.IsNullOrEmpty(apiKey) ? apiKey : throw new ArgumentException("An API key is required.", nameof(apiKey));

    /// <summary>Starts a call (idempotent while it is active).</summary>
    public Task<CallStatus> StartCallAsync(string callId, CancellationToken cancellationToken = default) =>
        SendAsync<CallStatus>(HttpMethod.Post, Path(callId, "start"), null, cancellationToken);

    /// <summary>Ends a call; its event streams close.</summary>
    public Task<CallStatus> EndCallAsync(string callId, CancellationToken cancellationToken = default) =>
        SendAsync<CallStatus>(HttpMethod.Post, Path(callId, "end"), null, cancellationToken);

    /// <summary>The call's state and counters.</summary>
    public Task<CallStatus> GetStatusAsync(string callId, CancellationToken cancellationToken = default) =>
        SendAsync<CallStatus>(HttpMethod.Get, Path(callId, ""), null, cancellationToken);

    /// <summary>The call's fused results so far.</summary>
    public Task<CallTimeline> GetTimelineAsync(string callId, CancellationToken cancellationToken = default) =>
        SendAsync<CallTimeline>(HttpMethod.Get, Path(callId, "timeline"), null, cancellationToken);

    /// <summary>Sends a transcript segment; returns the results it produced.</summary>
    public async Task<IReadOnlyList<FusedResult>> SendTextAsync(string callId, Speaker speaker, string text, TimeSpan start, TimeSpan end, CancellationToken cancellationToken = default) =>
        (await SendAsync<Accepted>(HttpMethod.Post, Path(callId, "text"), JsonContent.Create(new { speaker, text, start, end }, options: Json), cancellationToken)).Results;

    /// <summary>Sends mono PCM16 audio (little-endian) starting at <paramref name="start"/>; returns the results of the utterances it completed.</summary>
    public async Task<IReadOnlyList<FusedResult>> SendAudioAsync(string callId, ReadOnlyMemory<byte> pcm16, int sampleRate, TimeSpan start, CancellationToken cancellationToken = default)
    {
        var body = new ReadOnlyMemoryContent(pcm16);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var query = $"?start={Uri.EscapeDataString(start.ToString("c", CultureInfo.InvariantCulture))}&sampleRate={sampleRate.ToString(CultureInfo.InvariantCulture)}";
        return (await SendAsync<Accepted>(HttpMethod.Post, Path(callId, "audio") + query, body, cancellationToken)).Results;
    }

    /// <summary>Sends a JPEG or PNG video frame taken at <paramref name="timestamp"/>; returns the result when the cadence allowed one.</summary>
    public async Task<IReadOnlyList<FusedResult>> SendFrameAsync(string callId, ReadOnlyMemory<byte> image, TimeSpan timestamp, CancellationToken cancellationToken = default)
    {
        var body = new ReadOnlyMemoryContent(image);
        var png = image.Length >= 4 && image.Span[0] == 0x89 && image.Span[1] == (byte)'P';
        body.Headers.ContentType = new MediaTypeHeaderValue(png ? "image/png" : "image/jpeg");
        var query = $"?timestamp={Uri.EscapeDataString(timestamp.ToString("c", CultureInfo.InvariantCulture))}";
        return (await SendAsync<Accepted>(HttpMethod.Post, Path(callId, "frames") + query, body, cancellationToken)).Results;
    }

    /// <summary>
    /// The call's results from now on, read from its server-sent events; the sequence completes when
    /// the call ends (the server's <c>end</c> event) and throws <see cref="EmotionApiException"/> for
    /// an unknown call. Results the server dropped because this reader fell behind are skipped
    /// (their sequence numbers show the gap; the timeline has them all).
    /// </summary>
    public async IAsyncEnumerable<FusedResult> ReadResultsAsync(string callId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var request = Request(HttpMethod.Get, Path(callId, "events"), null);
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
        string? name = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0)
            {
                if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    name = line["event:".Length..].Trim();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Append(line["data:".Length..].TrimStart());
                }

                continue;
            }

            // A blank line dispatches the event.
            switch (name)
            {
                case "result":
                    yield return JsonSerializer.Deserialize<FusedResult>(data.ToString(), Json) ?? throw new JsonException("An empty result event.");
                    break;
                case "end":
                    yield break;
            }

            (name, data) = (null, new StringBuilder());
        }
    }

    private static string Path(string callId, string action) =>
        $"calls/{Uri.EscapeDataString(callId ?? throw new ArgumentNullException(nameof(callId)))}{(action.Length > 0 ? "/" + action : "")}";

    private HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        request.Headers.Add(ApiKeyHeader, _apiKey);
        return request;
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = Request(method, path, content);
        using var response = await _http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken) ?? throw new JsonException($"{method} {path} answered an empty body.");
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string? title = null, detail = null, reason = null;
        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            title = problem.RootElement.TryGetProperty("title", out var t) ? t.GetString() : null;
            detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
            reason = problem.RootElement.TryGetProperty("reason", out var r) ? r.GetString() : null;
        }
        catch (JsonException)
        {
            // Not problem details (a proxy's page): the status says enough.
        }

        throw new EmotionApiException(response.StatusCode, title ?? response.ReasonPhrase, detail, reason, response.Headers.RetryAfter?.Delta);
    }

    private sealed record Accepted(IReadOnlyList<FusedResult> Results);
}
