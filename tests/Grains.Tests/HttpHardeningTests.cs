using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>The HTTP API against a hostile client: bad input, missing or wrong credentials, oversized bodies, floods, slow readers.</summary>
[Collection(ClusterDefinition.Name)]
public sealed class HttpHardeningTests(ClusterFixture fixture)
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http = fixture.Api.ClientOf(TestTenants.A);

    private static string NewCallId() => $"hard-{Guid.NewGuid():N}";

    private static object Text(string text, string start, string end) => new { speaker = "customer", text, start, end };

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    private async Task<string> StartedCallAsync()
    {
        var id = NewCallId();
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync($"/calls/{id}/start", null)).StatusCode);
        return id;
    }

    [Theory]
    [InlineData("text/event-stream")]
    [InlineData("text/html")]
    [InlineData("image/png")]
    public async Task Errors_are_problem_json_whatever_the_accept_header(string accept)
    {
        var id = await StartedCallAsync();
        await _http.PostAsync($"/calls/{id}/end", null);
        foreach (var (method, path, status) in new[]
        {
            (HttpMethod.Get, $"/calls/{NewCallId()}/timeline", HttpStatusCode.NotFound),
            (HttpMethod.Post, $"/calls/{id}/start", HttpStatusCode.Conflict),
            (HttpMethod.Get, $"/calls/{id}/frames", HttpStatusCode.MethodNotAllowed),
            (HttpMethod.Get, "/no/such/path", HttpStatusCode.NotFound),
        })
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Accept.ParseAdd(accept);
            await ProblemAsync(await _http.SendAsync(request), status);
        }
    }

    [Fact]
    public async Task Malformed_json_and_wrong_types_are_400_problem_details()
    {
        var id = await StartedCallAsync();
        foreach (var (path, json) in new[]
        {
            ($"/calls/{id}/text", "{\"speaker\":\"customer\",\"text\":"),
            ($"/calls/{id}/text", "{\"speaker\":\"customer\",\"text\":\"hi\",\"start\":5,\"end\":\"00:00:02\"}"),
            ($"/calls/{id}/text", "{\"speaker\":\"nobody\",\"text\":\"hi\",\"start\":\"00:00:01\",\"end\":\"00:00:02\"}"),
            ($"/calls/{id}/audio", "{\"pcm16Base64\": [1, 2], \"sampleRate\": 16000"),
            ($"/calls/{id}/audio", "not json at all"),
        })
        {
            var problem = await ProblemAsync(await _http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
            Assert.Equal("MalformedJson", problem.GetProperty("reason").GetString());
        }

        var missingText = await ProblemAsync(await _http.PostAsync($"/calls/{id}/text", new StringContent("{\"speaker\":\"customer\",\"start\":\"00:00:01\",\"end\":\"00:00:02\"}", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        Assert.Equal("MissingText", missingText.GetProperty("reason").GetString());
        await ProblemAsync(await _http.PostAsync($"/calls/{id}/frames?timestamp=yesterday", new ByteArrayContent(TestFrames.NoFace)), HttpStatusCode.BadRequest);

        // None of it touched the call.
        var status = JsonDocument.Parse(await _http.GetStringAsync($"/calls/{id}")).RootElement;
        Assert.Equal("active", status.GetProperty("state").GetString());
        Assert.Equal(0, status.GetProperty("resultCount").GetInt32());
    }

    [Fact]
    public async Task Bodies_over_the_limit_are_413_whether_declared_or_streamed_and_wrong_content_types_are_415()
    {
        var id = await StartedCallAsync();

        // Declared: refused from the Content-Length before the body is read.
        var declared = new ByteArrayContent(new byte[(8 * 1024 * 1024) + 1]);
        declared.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var tooLarge = await ProblemAsync(await _http.PostAsync($"/calls/{id}/frames?timestamp=00:00:01", declared), HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("TooLarge", tooLarge.GetProperty("reason").GetString());

        // Chunked (no length): read up to the limit, then refused.
        var streamed = new StreamContent(new UnseekableStream(new byte[(64 * 1024) + 10]));
        streamed.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await ProblemAsync(await _http.PostAsync($"/calls/{id}/text", streamed), HttpStatusCode.RequestEntityTooLarge);

        var gif = new ByteArrayContent(TestFrames.NoFace);
        gif.Headers.ContentType = new MediaTypeHeaderValue("image/gif");
        await ProblemAsync(await _http.PostAsync($"/calls/{id}/frames?timestamp=00:00:01", gif), HttpStatusCode.UnsupportedMediaType);
        await ProblemAsync(await _http.PostAsync($"/calls/{id}/audio?start=00:00:01", new FormUrlEncodedContent([])), HttpStatusCode.UnsupportedMediaType);
        await ProblemAsync(await _http.PostAsync($"/calls/{id}/text", new StringContent("hello", Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType);

        // A frame under the limit still goes through.
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync($"/calls/{id}/frames?timestamp=00:00:01", new ByteArrayContent(TestFrames.NoFace))).StatusCode);
    }

    [Theory]
    [InlineData("a%0D%0Ab")]
    [InlineData("..%2Fother")]
    [InlineData("x%1B%5B31m")]
    [InlineData("call%20one")]
    public async Task Call_ids_outside_the_safe_charset_are_refused(string id)
    {
        var problem = await ProblemAsync(await _http.PostAsync($"/calls/{id}/start", null), HttpStatusCode.BadRequest);
        Assert.Equal("InvalidCallId", problem.GetProperty("reason").GetString());
        await ProblemAsync(await _http.PostAsync($"/calls/{new string('a', 101)}/start", null), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Requests_without_a_valid_api_key_are_401_problem_details()
    {
        var id = await StartedCallAsync();
        using var anonymous = fixture.Api.CreateClient();
        using var wrong = fixture.Api.CreateClient();
        wrong.DefaultRequestHeaders.Add("X-Api-Key", "not-a-key-of-anyone-at-all");
        foreach (var client in new[] { anonymous, wrong })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/calls/{id}/events");
            request.Headers.Accept.ParseAdd("text/event-stream");
            await ProblemAsync(await client.SendAsync(request), HttpStatusCode.Unauthorized);
            await ProblemAsync(await client.GetAsync($"/calls/{id}/timeline"), HttpStatusCode.Unauthorized);
            await ProblemAsync(await client.PostAsJsonAsync($"/calls/{id}/text", Text("hello", "00:00:01", "00:00:02")), HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task A_cross_site_form_post_to_end_carries_no_credentials_and_ends_nothing()
    {
        var id = await StartedCallAsync();
        using var browser = fixture.Api.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/calls/{id}/end")
        {
            Content = new FormUrlEncodedContent([]),
        };
        request.Headers.Add("Origin", "https://evil.example");
        request.Headers.Add("Cookie", "session=whatever");
        await ProblemAsync(await browser.SendAsync(request), HttpStatusCode.Unauthorized);

        var status = JsonDocument.Parse(await _http.GetStringAsync($"/calls/{id}")).RootElement;
        Assert.Equal("active", status.GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_tenant_over_its_rate_limit_gets_429_with_retry_after()
    {
        using var throttled = fixture.Api.ClientOf(TestTenants.Throttled);
        var id = NewCallId();
        for (var i = 0; i < TestTenants.ThrottledBurst; i++)
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await throttled.GetAsync($"/calls/{id}")).StatusCode);
        }

        var refused = await throttled.GetAsync($"/calls/{id}");
        var problem = await ProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.Equal("RateLimited", problem.GetProperty("reason").GetString());
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing.");

        // Other tenants keep their own budget.
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"/calls/{id}")).StatusCode);
    }

    [Fact]
    public async Task Metrics_and_openapi_answer_on_the_management_port_only()
    {
        using var management = fixture.Api.ManagementClient();
        Assert.Equal(HttpStatusCode.OK, (await management.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await management.GetAsync("/openapi/v1.json")).StatusCode);
        await ProblemAsync(await _http.GetAsync("/metrics"), HttpStatusCode.NotFound);
        await ProblemAsync(await _http.GetAsync("/openapi/v1.json"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Events_stream_sends_end_and_closes_when_the_call_ends()
    {
        var id = await StartedCallAsync();
        using var timeout = new CancellationTokenSource(MaxWait);
        using var response = await _http.GetAsync($"/calls/{id}/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        var events = SseEvents.ReadAsync(response, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsJsonAsync($"/calls/{id}/text", Text("I am furious about this bill.", "00:00:01", "00:00:03"), timeout.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync($"/calls/{id}/end", null, timeout.Token)).StatusCode);

        // The stream completes by itself: the list ends with the call's final status.
        var all = await events;
        Assert.Equal(["status", "result", "end"], all.Select(e => e.Event));
        var end = JsonDocument.Parse(all[^1].Data).RootElement;
        Assert.Equal("ended", end.GetProperty("state").GetString());
        Assert.Equal(id, end.GetProperty("callId").GetString());
        Assert.Equal(1, end.GetProperty("resultCount").GetInt32());
    }

    [Fact]
    public async Task Events_of_an_ended_call_send_status_and_end_at_once()
    {
        var id = await StartedCallAsync();
        await _http.PostAsync($"/calls/{id}/end", null);
        using var timeout = new CancellationTokenSource(MaxWait);
        using var response = await _http.GetAsync($"/calls/{id}/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(["status", "end"], (await SseEvents.ReadAsync(response, timeout.Token)).Select(e => e.Event));
    }

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
