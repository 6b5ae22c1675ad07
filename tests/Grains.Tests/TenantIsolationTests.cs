using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>One tenant replays the sample call over HTTP while another, holding the same call id, tries every endpoint.</summary>
[Collection(ClusterDefinition.Name)]
public sealed class TenantIsolationTests(ClusterFixture fixture)
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Replayed = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_second_tenant_cannot_read_feed_follow_or_end_a_call_it_does_not_own()
    {
        using var owner = fixture.Api.ClientOf(TestTenants.A);
        using var other = fixture.Api.ClientOf(TestTenants.B);
        using var timeout = new CancellationTokenSource(MaxWait);
        var id = $"iso-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsync($"/calls/{id}/start", null, timeout.Token)).StatusCode);
        using var ownerEvents = await owner.GetAsync($"/calls/{id}/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        var followed = SseEvents.ReadAsync(ownerEvents, timeout.Token);

        // The first 15 s of samples/call-001: transcript lines, 1 s audio chunks and frames, in time order,
        // with the other tenant's attempts on every endpoint in between.
        var inputs = new List<(TimeSpan At, Func<Task<HttpResponseMessage>> Send)>();
        foreach (var line in File.ReadLines(Path.Combine(TestAudio.SampleFolder(), "transcript.tsv")).Where(l => !l.StartsWith('#')))
        {
            var f = line.Split('\t');
            var (start, end) = (Seconds(f[0]), Seconds(f[1]));
            if (end <= Replayed)
            {
                inputs.Add((start, () => owner.PostAsJsonAsync($"/calls/{id}/text", new { speaker = f[2], text = f[3], start = Clock(start), end = Clock(end) }, timeout.Token)));
            }
        }

        for (var s = 0; s < (int)Replayed.TotalSeconds; s++)
        {
            var pcm = TestAudio.ToPcm16(TestAudio.SampleCall(s, s + 1));
            var at = TimeSpan.FromSeconds(s);
            inputs.Add((at, () => owner.PostAsync($"/calls/{id}/audio?start={Clock(at)}&sampleRate=16000", new ByteArrayContent(pcm), timeout.Token)));
        }

        foreach (var frame in Directory.GetFiles(Path.Combine(TestAudio.SampleFolder(), "frames"), "*.png").Order(StringComparer.Ordinal))
        {
            var at = TimeSpan.FromMilliseconds(int.Parse(Path.GetFileNameWithoutExtension(frame), CultureInfo.InvariantCulture));
            if (at < Replayed)
            {
                var bytes = await File.ReadAllBytesAsync(frame, timeout.Token);
                inputs.Add((at, () => owner.PostAsync($"/calls/{id}/frames?timestamp={Clock(at)}", new ByteArrayContent(bytes), timeout.Token)));
            }
        }

        var attempts = 0;
        foreach (var (_, send) in inputs.OrderBy(i => i.At))
        {
            using var sent = await send();
            Assert.True(sent.IsSuccessStatusCode, $"{(int)sent.StatusCode}: {await sent.Content.ReadAsStringAsync(timeout.Token)}");
            await AssertRefusedAsync(other, id, attempts++, timeout.Token);
        }

        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsync($"/calls/{id}/end", null, timeout.Token)).StatusCode);
        var events = await followed;

        // The owner's call is whole: every result in its timeline and on its event stream, nothing refused.
        var status = JsonDocument.Parse(await owner.GetStringAsync($"/calls/{id}", timeout.Token)).RootElement;
        var timeline = JsonDocument.Parse(await owner.GetStringAsync($"/calls/{id}/timeline", timeout.Token)).RootElement;
        Assert.Equal("ended", status.GetProperty("state").GetString());
        Assert.Equal(0, status.GetProperty("rejectedInputs").GetInt32());
        var results = timeline.GetProperty("results").EnumerateArray().ToList();
        Assert.True(results.Count >= 3, $"Only {results.Count} results.");
        Assert.All(results, r => Assert.Equal(id, r.GetProperty("callId").GetString()));
        Assert.Equal(results.Select(r => r.GetProperty("sequence").GetInt64()), events.Where(e => e.Event == "result").Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("sequence").GetInt64()));
        Assert.Equal("end", events[^1].Event);

        // The other tenant starting the same id gets a call of its own, empty; ending it leaves the owner's alone.
        var own = JsonDocument.Parse(await (await other.PostAsync($"/calls/{id}/start", null, timeout.Token)).Content.ReadAsStringAsync(timeout.Token)).RootElement;
        Assert.Equal(0, own.GetProperty("resultCount").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await other.PostAsync($"/calls/{id}/end", null, timeout.Token)).StatusCode);
        var again = JsonDocument.Parse(await owner.GetStringAsync($"/calls/{id}/timeline", timeout.Token)).RootElement;
        Assert.Equal(results.Count, again.GetProperty("results").GetArrayLength());
    }

    // Each attempt answers exactly as for a call that never existed: 404 "Unknown call", naming no tenant.
    private static async Task AssertRefusedAsync(HttpClient other, string id, int attempt, CancellationToken cancellationToken)
    {
        var at = Clock(TimeSpan.FromSeconds(attempt));
        Func<Task<HttpResponseMessage>>[] tries =
        [
            () => other.GetAsync($"/calls/{id}", cancellationToken),
            () => other.GetAsync($"/calls/{id}/timeline", cancellationToken),
            () => other.GetAsync($"/calls/{id}/events", HttpCompletionOption.ResponseHeadersRead, cancellationToken),
            () => other.PostAsJsonAsync($"/calls/{id}/text", new { speaker = "customer", text = "I want a refund.", start = at, end = at }, cancellationToken),
            () => other.PostAsync($"/calls/{id}/audio?start={at}", new ByteArrayContent(new byte[3200]), cancellationToken),
            () => other.PostAsync($"/calls/{id}/frames?timestamp={at}", new ByteArrayContent(TestFrames.NoFace), cancellationToken),
            () => other.PostAsync($"/calls/{id}/end", null, cancellationToken),
        ];
        var never = $"never-{Guid.NewGuid():N}";
        foreach (var attemptOn in tries)
        {
            using var response = await attemptOn();
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{(int)response.StatusCode}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(body).RootElement;
            Assert.Equal("Unknown call", problem.GetProperty("title").GetString());
            Assert.Equal($"Call '{never}' has not been started.", problem.GetProperty("detail").GetString()!.Replace(id, never, StringComparison.Ordinal));
            Assert.DoesNotContain(TestTenants.A, body, StringComparison.Ordinal);
        }
    }

    private static TimeSpan Seconds(string text) => TimeSpan.FromSeconds(double.Parse(text, CultureInfo.InvariantCulture));

    private static string Clock(TimeSpan at) => at.ToString(@"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture);
}
