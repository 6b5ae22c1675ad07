using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Emotion.Orleans.Grains.Tests;

[Collection(ClusterDefinition.Name)]
public sealed class HttpApiTests(ClusterFixture fixture)
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(20);

    private readonly HttpClient _http = fixture.Api.ClientOf(TestTenants.A);

    private static string NewCallId() => $"http-{Guid.NewGuid():N}";

    private static object Text(string text, string start, string end, string speaker = "customer") => new { speaker, text, start, end };

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await JsonAsync(response);
    }

    [Fact]
    public async Task Start_text_and_timeline_round_trip_as_json()
    {
        var id = NewCallId();
        var started = await JsonAsync(await _http.PostAsync($"/calls/{id}/start", null));
        Assert.Equal("active", started.GetProperty("state").GetString());

        var sent = await _http.PostAsJsonAsync($"/calls/{id}/text", Text("This is ridiculous, I am furious.", "00:00:01", "00:00:03"));
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        var result = (await JsonAsync(sent)).GetProperty("results")[0];
        Assert.Contains(result.GetProperty("emotion").GetString(), EmotionDistribution.Labels);
        Assert.Equal(["text"], result.GetProperty("presentModalities").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal([1f, 0f, 0f], result.GetProperty("alpha").EnumerateArray().Select(a => a.GetSingle()));
        Assert.Equal(7, result.GetProperty("distribution").GetProperty("probabilities").GetArrayLength());

        var timeline = await JsonAsync(await _http.GetAsync($"/calls/{id}/timeline"));
        var stored = Assert.Single(timeline.GetProperty("results").EnumerateArray());
        Assert.Equal(result.GetProperty("emotion").GetString(), stored.GetProperty("emotion").GetString());
    }

    [Fact]
    public async Task Typed_errors_become_problem_details_with_404_409_and_400()
    {
        var id = NewCallId();
        var unknown = await ProblemAsync(await _http.PostAsJsonAsync($"/calls/{id}/text", Text("hello", "00:00:01", "00:00:02")), HttpStatusCode.NotFound);
        Assert.Equal("Unknown call", unknown.GetProperty("title").GetString());

        await _http.PostAsync($"/calls/{id}/start", null);
        var frame = new ByteArrayContent(TestFrames.NotAnImage);
        var malformed = await ProblemAsync(await _http.PostAsync($"/calls/{id}/frames?timestamp=00:00:01", frame), HttpStatusCode.BadRequest);
        Assert.Equal("UnsupportedFormat", malformed.GetProperty("reason").GetString());
        Assert.Equal("Face", malformed.GetProperty("modality").GetString());

        await _http.PostAsJsonAsync($"/calls/{id}/text", Text("Second thing.", "00:00:05", "00:00:06"));
        await ProblemAsync(await _http.PostAsJsonAsync($"/calls/{id}/text", Text("Earlier thing.", "00:00:02", "00:00:03")), HttpStatusCode.Conflict);

        await _http.PostAsync($"/calls/{id}/end", null);
        var ended = await ProblemAsync(await _http.PostAsJsonAsync($"/calls/{id}/text", Text("Hello?", "00:00:09", "00:00:10")), HttpStatusCode.Conflict);
        Assert.Equal("Call ended", ended.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Audio_is_accepted_as_raw_pcm_or_base64_json_and_odd_bytes_are_refused()
    {
        var id = NewCallId();
        await _http.PostAsync($"/calls/{id}/start", null);
        var pcm = TestAudio.ToPcm16(TestAudio.SampleCall(0, 0.1));

        var raw = await _http.PostAsync($"/calls/{id}/audio?start=00:00:00&sampleRate=16000", new ByteArrayContent(pcm));
        Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
        var json = await _http.PostAsJsonAsync($"/calls/{id}/audio", new { pcm16Base64 = Convert.ToBase64String(pcm), sampleRate = 16000, start = "00:00:00.1" });
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);

        var odd = await ProblemAsync(await _http.PostAsync($"/calls/{id}/audio?start=00:00:00.2", new ByteArrayContent([1, 2, 3])), HttpStatusCode.BadRequest);
        Assert.Equal("WrongShape", odd.GetProperty("reason").GetString());
        var noStart = await _http.PostAsync($"/calls/{id}/audio", new ByteArrayContent(pcm));
        Assert.Equal(HttpStatusCode.BadRequest, noStart.StatusCode);
    }

    [Fact]
    public async Task Events_endpoint_streams_the_calls_results_as_server_sent_events()
    {
        var id = NewCallId();
        await _http.PostAsync($"/calls/{id}/start", null);
        using var timeout = new CancellationTokenSource(MaxWait);
        using var response = await _http.GetAsync($"/calls/{id}/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token), Encoding.UTF8);

        // The subscription is in place once the headers arrived: the first event is the call's status.
        Assert.Equal("event: status", await reader.ReadLineAsync(timeout.Token));
        var sending = _http.PostAsJsonAsync($"/calls/{id}/text", Text("Great, thanks!", "00:00:01", "00:00:02"), timeout.Token);
        string? data = null;
        var inResult = false;
        while (data is null && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            inResult = line == "event: result" || (inResult && line.Length > 0);
            if (inResult && line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
            }
        }

        var answer = (await JsonAsync(await sending)).GetProperty("results")[0];
        Assert.NotNull(data);
        var result = JsonDocument.Parse(data).RootElement;
        Assert.Equal(id, result.GetProperty("callId").GetString());
        Assert.Equal(1, result.GetProperty("sequence").GetInt64());
        Assert.Equal(answer.GetProperty("emotion").GetString(), result.GetProperty("emotion").GetString());
        Assert.Equal(answer.GetProperty("alpha").GetRawText(), result.GetProperty("alpha").GetRawText());
    }

    [Fact]
    public async Task Events_of_an_unknown_call_are_404_problem_details_even_for_an_event_stream_client()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/calls/{NewCallId()}/events");
        request.Headers.Accept.ParseAdd("text/event-stream");
        var problem = await ProblemAsync(await _http.SendAsync(request), HttpStatusCode.NotFound);
        Assert.Equal("Unknown call", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Metrics_endpoint_shows_what_a_call_did_without_naming_the_call()
    {
        // A host of its own, alive only during this test: the exporter listens to every meter of the
        // product's name in the process, and another in-process host stopping mid-run (the replay's
        // embedded silo) would end the metric streams it shares with the shared API host.
        await using var api = new SiloApiFactory(11412, 30412);
        using var http = api.ClientOf(TestTenants.A);
        var id = NewCallId();
        await http.PostAsync($"/calls/{id}/start", null);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync($"/calls/{id}/text", Text("This is ridiculous, I am furious.", "00:00:01", "00:00:03"))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsJsonAsync($"/calls/{id}/text", Text("Earlier thing.", "00:00:00", "00:00:01"))).StatusCode);
        await http.PostAsync($"/calls/{id}/end", null);

        using var management = api.ManagementClient();
        var metrics = await management.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.DoesNotContain(id, metrics, StringComparison.Ordinal);
        Assert.True(Sample(metrics, "emotion_inputs_received_total", "modality=\"text\"") >= 2);
        Assert.True(Sample(metrics, "emotion_items_refused_total", "reason=\"out_of_order\"") >= 1);
        Assert.True(Sample(metrics, "emotion_event_to_result_latency_milliseconds_count", "modality=\"text\"") >= 1);
        Assert.True(Sample(metrics, "emotion_batch_size_count", "modality=\"text\"") >= 1);
        Assert.True(Sample(metrics, "emotion_results_published_total", "trigger=\"utterance_end\"") >= 1);
        Assert.True(Sample(metrics, "emotion_fusion_latency_milliseconds_count", "") >= 1);
        Assert.True(Sample(metrics, "orleans_app_requests_latency_milliseconds_count", "") >= 1);
        Assert.Equal(1, Sample(metrics, "emotion_silo_info", "gpu=\"false\""));
    }

    // Sum of the samples of one series whose labels contain the given text.
    private static double Sample(string metrics, string series, string label) =>
        metrics.Split('\n')
            .Where(l => l.StartsWith(series + "{", StringComparison.Ordinal) || l.StartsWith(series + " ", StringComparison.Ordinal))
            .Where(l => l.Contains(label, StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
}
