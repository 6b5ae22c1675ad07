using Emotion.Orleans.Client;
using Emotion.Orleans.Replay;
using Emotion.Orleans.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Xunit.Abstractions;

namespace Emotion.Orleans.Grains.Tests;

[Collection(ClusterDefinition.Name)]
public sealed class ReplayTests(ClusterFixture fixture, ITestOutputHelper log)
{
    private static string SampleFolder() => TestAudio.SampleFolder();

    [Fact]
    public void Sample_call_folder_loads_in_call_time_order()
    {
        var call = RecordedCall.Load(SampleFolder(), "sample");

        Assert.Equal(7, call.Events.Count(e => e.Segment is not null));
        Assert.True(call.Events.Count(e => e.Frame is not null) >= 30);
        Assert.All(call.Events.Where(e => e.Audio is not null), e => Assert.Equal(16_000, e.Audio!.SampleRate));
        Assert.Equal(call.Events.OrderBy(e => e.At).Select(e => e.At), call.Events.Select(e => e.At));
    }

    [Fact]
    public async Task Replaying_the_sample_call_fuses_text_and_speech_and_never_a_face_it_did_not_show()
    {
        var id = $"replay-{Guid.NewGuid():N}";
        var output = new StringWriter();
        var replay = new ReplayCommand(new EmotionCallClient(fixture.Client), output);

        var timeline = await replay.RunAsync(RecordedCall.Load(SampleFolder(), id), id, speed: 0, CancellationToken.None);

        log.WriteLine(output.ToString());
        Assert.Equal(CallState.Ended, timeline.State);
        Assert.Equal(Enumerable.Range(1, timeline.Results.Length).Select(i => (long)i), timeline.Results.Select(r => r.Sequence));
        var fromText = timeline.Results.Where(r => r.Modalities.Any(m => m.Modality == InputModality.Text) && r.Trigger == FusionTrigger.UtteranceEnd).ToList();
        Assert.True(fromText.Count >= 7, $"Expected a result per transcript line, got {fromText.Count}.");
        Assert.Contains(timeline.Results, r => r.PresentModalities.SequenceEqual([InputModality.Text, InputModality.Speech]));
        Assert.All(timeline.Results, r =>
        {
            Assert.DoesNotContain(InputModality.Face, r.PresentModalities);
            Assert.Equal(0f, r.Alpha[(int)InputModality.Face]);
            Assert.Equal(1f, r.Alpha.Sum(), 4);
            Assert.All(r.Modalities, m => Assert.Equal(r.Alpha[(int)m.Modality], m.Alpha));
        });
        Assert.Contains(timeline.Results, r => r.Reply is not null);
        var printed = output.ToString().Split('\n');
        Assert.Equal(timeline.Results.Length, printed.Count(l => l.StartsWith('[') && l.Contains(" #", StringComparison.Ordinal) && l.Contains("present: ", StringComparison.Ordinal)));
        Assert.Equal(timeline.Results.Count(r => r.Reply is not null), printed.Count(l => l.TrimStart().StartsWith("suggest: ", StringComparison.Ordinal)));
        Assert.Equal($"call {id} ended: {timeline.Results.Length} results", printed.Last(l => l.Length > 0).TrimEnd());
    }

    [Fact]
    public async Task Replay_without_a_cluster_runs_an_embedded_silo_in_process()
    {
        var options = ReplayOptions.Parse([SampleFolder(), "--speed", "0", "--call-id", "embedded-replay"]);
        // The embedded silo registers the product's inference; it is handed the models already loaded.
        using var host = ReplayHosting.Build(options, services => ClusterFixture.ShareModels(services));
        await host.StartAsync();
        try
        {
            var client = host.Services.GetRequiredService<EmotionCallClient>();
            var timeline = await new ReplayCommand(client, TextWriter.Null).RunAsync(RecordedCall.Load(options.Folder, options.CallId), options.CallId, options.Speed, CancellationToken.None);

            Assert.Equal(CallState.Ended, timeline.State);
            Assert.True(timeline.Results.Length >= 7);
            Assert.Contains(timeline.Results, r => r.PresentModalities.SequenceEqual([InputModality.Text, InputModality.Speech]));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public void The_replays_embedded_silo_reads_the_silos_own_settings_on_ports_of_its_own()
    {
        using var host = ReplayHosting.Build(ReplayOptions.Parse([SampleFolder()]));

        var configuration = host.Services.GetRequiredService<IConfiguration>();
        var silo = host.Services.GetRequiredService<IOptions<SiloHostOptions>>().Value;
        // Keys only the silo's appsettings.json sets: the embedded silo is configured as the silo is.
        Assert.Equal("00:00:30", configuration["Calls:MaxAudioGap"]);
        Assert.Equal("false", configuration["Orleans:Metadata:gpu"]);
        Assert.Equal((SiloMode.Embedded, ReplayHosting.EmbeddedSiloPort, ReplayHosting.EmbeddedGatewayPort), (silo.Mode, silo.SiloPort, silo.GatewayPort));
        Assert.NotEqual(new SiloHostOptions().SiloPort, silo.SiloPort);
        Assert.NotEqual(new SiloHostOptions().GatewayPort, silo.GatewayPort);
    }

    [Fact]
    public void The_call_streams_cache_keeps_delivered_events_for_the_configured_minute_not_half_an_hour()
    {
        using var host = ReplayHosting.Build(ReplayOptions.Parse([SampleFolder()]));

        var retention = host.Services.GetRequiredService<IOptions<SiloHostOptions>>().Value.StreamCacheRetention;
        var eviction = host.Services.GetRequiredService<IOptionsMonitor<StreamCacheEvictionOptions>>().Get(CallStreams.Provider);

        Assert.Equal(TimeSpan.FromMinutes(1), retention);
        Assert.Equal(retention, eviction.DataMinTimeInCache);
        Assert.Equal(retention, eviction.DataMaxAgeInCache);
        Assert.True(StreamCacheEvictionOptions.DefaultDataMaxAgeInCache > retention, "Orleans' own default keeps events far longer");
    }

    [Fact]
    public void Replay_arguments_are_parsed_and_bad_ones_refused()
    {
        var options = ReplayOptions.Parse(["calls/call-9", "--speed", "2.5", "--redis", "127.0.0.1:6379"]);
        Assert.Equal(("calls/call-9", 2.5, "127.0.0.1:6379"), (options.Folder, options.Speed, options.Redis));
        Assert.StartsWith("call-9-", options.CallId, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ReplayOptions.Parse(["folder", "--speed", "-1"]));
        Assert.Throws<ArgumentException>(() => ReplayOptions.Parse(["--speed", "1"]));
        Assert.Throws<ArgumentException>(() => ReplayOptions.Parse(["a", "b"]));
    }
}
