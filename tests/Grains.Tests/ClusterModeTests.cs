using System.Net.Http.Json;
using System.Text.Json;
using Emotion.Orleans.Client;
using Emotion.Orleans.Replay;
using Microsoft.Extensions.DependencyInjection;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>Cluster mode against a real Redis; skipped unless <c>EMOTION_REDIS</c> names one.</summary>
[Collection(ClusterDefinition.Name)]
public sealed class ClusterModeTests
{
    private static object Text(string text, string start, string end) => new { speaker = "customer", text, start, end };

    private static async Task<JsonElement> TimelineAsync(HttpClient http, string id) =>
        JsonDocument.Parse(await http.GetStringAsync($"/calls/{id}/timeline")).RootElement;

    [SkippableFact]
    public async Task Call_state_kept_in_redis_survives_a_silo_restart()
    {
        Skip.If(ClusterModeSiloFactory.Redis is null, "EMOTION_REDIS is not set.");
        var service = $"test-{Guid.NewGuid():N}";
        var id = "call-restart";

        string before;
        await using (var first = new ClusterModeSiloFactory(ClusterModeSiloFactory.Redis!, service, 11611, 30611))
        {
            var http = first.ClientOfA();
            (await http.PostAsync($"/calls/{id}/start", null)).EnsureSuccessStatusCode();
            (await http.PostAsJsonAsync($"/calls/{id}/text", Text("I am furious.", "00:00:01", "00:00:02"))).EnsureSuccessStatusCode();
            before = (await TimelineAsync(http, id)).GetProperty("results").GetRawText();
        }

        await using var second = new ClusterModeSiloFactory(ClusterModeSiloFactory.Redis!, service, 11612, 30612);
        var again = second.ClientOfA();
        var timeline = await TimelineAsync(again, id);
        Assert.Equal("active", timeline.GetProperty("state").GetString());
        Assert.Equal(1, timeline.GetProperty("results").GetArrayLength());
        Assert.Equal(before, timeline.GetProperty("results").GetRawText());

        (await again.PostAsJsonAsync($"/calls/{id}/text", Text("Great, thanks.", "00:00:03", "00:00:04"))).EnsureSuccessStatusCode();
        var after = await TimelineAsync(again, id);
        Assert.Equal([1L, 2L], after.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("sequence").GetInt64()));
    }

    [SkippableFact]
    public async Task Two_silos_sharing_redis_form_one_cluster_with_one_session_per_call()
    {
        Skip.If(ClusterModeSiloFactory.Redis is null, "EMOTION_REDIS is not set.");
        var service = $"test-{Guid.NewGuid():N}";
        await using var a = new ClusterModeSiloFactory(ClusterModeSiloFactory.Redis!, service, 11621, 30621);
        await using var b = new ClusterModeSiloFactory(ClusterModeSiloFactory.Redis!, service, 11622, 30622);
        var (httpA, httpB) = (a.ClientOfA(), b.ClientOfA());

        for (var i = 0; i < 6; i++)
        {
            var id = $"call-{i}";
            (await httpA.PostAsync($"/calls/{id}/start", null)).EnsureSuccessStatusCode();
            (await httpB.PostAsJsonAsync($"/calls/{id}/text", Text("Thanks!", "00:00:01", "00:00:02"))).EnsureSuccessStatusCode();
            (await httpA.PostAsJsonAsync($"/calls/{id}/text", Text("I am worried.", "00:00:03", "00:00:04"))).EnsureSuccessStatusCode();

            // Whichever silo answers, it is the same session: both inputs are in one timeline.
            var results = (await TimelineAsync(httpB, id)).GetProperty("results").EnumerateArray().ToList();
            Assert.Equal([1L, 2L], results.Select(r => r.GetProperty("sequence").GetInt64()));
            Assert.Equal(["00:00:01", "00:00:03"], results.Select(r => r.GetProperty("windowStart").GetString()));
        }
    }

    [SkippableFact]
    public async Task Inference_workers_activate_on_the_gpu_silo_when_the_call_arrives_at_a_cpu_silo()
    {
        Skip.If(ClusterModeSiloFactory.Redis is null, "EMOTION_REDIS is not set.");
        var service = $"test-{Guid.NewGuid():N}";
        await using var cpu = new ClusterModeSiloFactory(ClusterModeSiloFactory.Redis!, service, 11631, 30631, gpu: false);
        await using var gpu = new ClusterModeSiloFactory(ClusterModeSiloFactory.Redis!, service, 11632, 30632, gpu: true);
        var (httpCpu, _) = (cpu.ClientOfA(), gpu.ClientOfA());

        for (var i = 0; i < 4; i++)
        {
            var id = $"call-gpu-{i}";
            (await httpCpu.PostAsync($"/calls/{id}/start", null)).EnsureSuccessStatusCode();
            (await httpCpu.PostAsJsonAsync($"/calls/{id}/text", Text("Thanks!", "00:00:01", "00:00:02"))).EnsureSuccessStatusCode();
        }

        // The text workers that ran the texts live on the GPU silo only.
        var workers = await cpu.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        var textWorkers = workers.Where(w => w.GrainType.Contains(nameof(TextWorkerGrain), StringComparison.Ordinal) && w.ActivationCount > 0).ToList();
        Assert.NotEmpty(textWorkers);
        var gpuSilo = gpu.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        Assert.All(textWorkers, w => Assert.Equal(gpuSilo, w.SiloAddress));
    }

    [SkippableFact]
    public async Task The_client_library_joins_the_cluster_through_redis_and_follows_a_calls_results()
    {
        Skip.If(ClusterModeSiloFactory.Redis is null, "EMOTION_REDIS is not set.");
        var service = $"test-{Guid.NewGuid():N}";
        await using var silo = new ClusterModeSiloFactory(ClusterModeSiloFactory.Redis!, service, 11641, 30641);
        _ = silo.Services;

        // The replay's client mode: AddEmotionCallClient with the silos' cluster and service ids.
        using var host = ReplayHosting.Build(ReplayOptions.Parse(["unused", "--redis", ClusterModeSiloFactory.Redis!, "--cluster-id", service, "--service-id", service]));
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        try
        {
            var client = host.Services.GetRequiredService<EmotionCallClient>();
            var id = $"client-{Guid.NewGuid():N}";
            using var done = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var streamed = new List<FusedResult>();
            FusedResult? answered;
            await using (await client.SubscribeAsync(id, r =>
            {
                lock (streamed)
                {
                    streamed.Add(r);
                }

                return Task.CompletedTask;
            }))
            {
                await client.StartCallAsync(id);
                answered = await client.SendTextAsync(new TranscriptSegment(id, Speaker.Customer, "I am furious about this bill.", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)));
                Assert.NotNull(answered);
                while (true)
                {
                    lock (streamed)
                    {
                        if (streamed.Count > 0)
                        {
                            break;
                        }
                    }

                    await Task.Delay(50, done.Token);
                }
            }

            Assert.Contains(streamed, r => r.Sequence == answered!.Sequence && r.CallId == id);
            Assert.Contains((await client.GetTimelineAsync(id)).Results, r => r.Sequence == answered!.Sequence);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
