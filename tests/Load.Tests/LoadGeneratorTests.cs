using Emotion.Orleans.Client;
using Emotion.Orleans.Grains;
using Emotion.Orleans.Inference;
using Emotion.Orleans.LoadGenerator;
using Emotion.Orleans.Replay;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Emotion.Orleans.Load.Tests;

/// <summary>Runs the generator for a few seconds against an embedded silo with the real models; checks correctness, never speed.</summary>
public sealed class LoadGeneratorTests(ITestOutputHelper log)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    [SkippableFact]
    public async Task Two_calls_under_load_each_get_their_own_results_from_every_modality()
    {
        // The embedded silo reads Inference:BundlePath (environment Inference__BundlePath) like any host.
        var bundle = Environment.GetEnvironmentVariable("Inference__BundlePath") ?? ModelFiles.DefaultBundle;
        Skip.IfNot(File.Exists(Path.Combine(bundle, "manifest.json")), $"No model bundle at {bundle}.");
        var media = SyntheticMedia.Load(SyntheticMedia.DefaultFolder);
        // Nothing is dropped however busy the machine (senders may fall up to 30 s behind), so every
        // input reaches the silo: the test checks what arrives where, not how fast.
        var options = LoadOptions.Parse(["--calls", "2", "--step", "5", "--text-every", "1", "--max-lag", "30000"]);
        using var host = ReplayHosting.Build(new ReplayOptions(SyntheticMedia.DefaultFolder, 1, "load-test", null, "emotion", "emotion-calls"));
        await host.StartAsync().WaitAsync(Bound);
        try
        {
            var client = host.Services.GetRequiredService<EmotionCallClient>();
            using var batches = new BatchSizeListener();
            var step = new LoadStep(client, media, options, batches);

            var (figures, callIds) = await step.RunAsync(2, $"test-{Guid.NewGuid():N}").WaitAsync(Bound);

            log.WriteLine(CapacitySearch.Describe(figures, figures.Held(options.MaxP99, options.MaxFaceShed)));
            Assert.Equal(2, callIds.Count);
            Assert.Equal(0, figures.MixedUp);
            Assert.Equal(0, figures.Refused);
            Assert.Equal(0, figures.Dropped);
            Assert.All(figures.Modalities.Values, m => Assert.True(m.Sent > 0, "every modality sent inputs"));
            Assert.True(figures.StreamResults > 0);
            Assert.True(figures.FaceResults > 0, "the drawn face is found and fused");
            foreach (var id in callIds)
            {
                var timeline = await client.GetTimelineAsync(id);
                Assert.Equal(CallState.Ended, timeline.State);
                Assert.NotEmpty(timeline.Results);
                Assert.All(timeline.Results, r => Assert.Equal(id, r.CallId));
                Assert.Equal(Enumerable.Range(1, timeline.Results.Length).Select(i => (long)i), timeline.Results.Select(r => r.Sequence));
                Assert.Contains(timeline.Results, r => r.PresentModalities.Contains(InputModality.Text));
            }

            // The two calls start at different points of the media: their results are not copies of each other.
            var first = await client.GetTimelineAsync(callIds[0]);
            var second = await client.GetTimelineAsync(callIds[1]);
            Assert.NotEqual(first.Results.Select(r => (r.WindowEnd, r.Emotion)), second.Results.Select(r => (r.WindowEnd, r.Emotion)));
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void Latency_percentiles_use_the_nearest_rank_within_the_histogram_resolution()
    {
        var series = new LatencySeries();
        foreach (var ms in Enumerable.Range(1, 100))
        {
            series.Add(TimeSpan.FromMilliseconds(ms));
        }

        var summary = series.Summarize();

        Assert.Equal(100, summary.Count);
        Assert.Equal(50, summary.P50!.Value, 50 * LatencySeries.Resolution);
        Assert.Equal(95, summary.P95!.Value, 95 * LatencySeries.Resolution);
        Assert.Equal(99, summary.P99!.Value, 99 * LatencySeries.Resolution);
        Assert.Equal(100, summary.Max);
        Assert.Null(new LatencySeries().Summarize().P99);
    }

    [Fact]
    public void Latency_series_merge_like_one_series_of_all_their_values()
    {
        var (low, high, all) = (new LatencySeries(), new LatencySeries(), new LatencySeries());
        foreach (var ms in Enumerable.Range(1, 1000))
        {
            var latency = TimeSpan.FromMilliseconds(ms * 0.37);
            (ms % 3 == 0 ? low : high).Add(latency);
            all.Add(latency);
        }

        low.AddRange(high);

        Assert.Equal(all.Summarize(), low.Summarize());
        Assert.Equal(370, low.Summarize().Max);
    }

    [Fact]
    public void A_latency_series_keeps_the_same_memory_however_many_values_it_gets()
    {
        var series = new LatencySeries();
        series.Add(TimeSpan.FromMilliseconds(1));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100_000; i++)
        {
            series.Add(TimeSpan.FromMilliseconds(i % 5000));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(4999, series.Summarize().Max);
    }

    [Fact]
    public void A_step_holds_only_within_the_bound_and_with_nothing_dropped_or_refused()
    {
        var modalities = new Dictionary<string, ModalityFigures>();
        StepFigures Step(double p99, long dropped, long refused) =>
            new(4, 10, modalities, new LatencySummary(10, 10, 20, p99, p99), new LatencySummary(0, null, null, null, null), 10, 1, 10, 0, 0, dropped, refused, null);

        Assert.True(Step(900, 0, 0).Held(TimeSpan.FromSeconds(1)));
        Assert.False(Step(1100, 0, 0).Held(TimeSpan.FromSeconds(1)));
        Assert.False(Step(900, 1, 0).Held(TimeSpan.FromSeconds(1)));
        Assert.False(Step(900, 0, 1).Held(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void A_step_whose_calls_shed_more_frames_than_allowed_does_not_hold()
    {
        var none = new LatencySummary(0, null, null, null, null);
        var modalities = new Dictionary<string, ModalityFigures> { ["face"] = new(1000, 0, 0, 0, none, none) };
        StepFigures Step(long? shed) =>
            new StepFigures(4, 10, modalities, new LatencySummary(10, 10, 20, 300, 300), none, 10, 1, 10, 0, 0, 0, 0, null) { ShedFrames = shed };

        Assert.Equal(0.05, Step(50).FaceShedShare);
        Assert.True(Step(50).Held(TimeSpan.FromSeconds(1), maxFaceShed: 0.05));
        Assert.False(Step(51).Held(TimeSpan.FromSeconds(1), maxFaceShed: 0.05));
        Assert.True(Step(51).Held(TimeSpan.FromSeconds(1), maxFaceShed: 0.1));

        // A silo elsewhere: the shed frames are not seen, so they cannot count.
        Assert.Null(Step(null).FaceShedShare);
        Assert.True(Step(null).Held(TimeSpan.FromSeconds(1)));
        Assert.Equal(0.2, LoadOptions.Parse(["--max-face-shed", "0.2"]).MaxFaceShed);
        Assert.Equal(StepFigures.DefaultMaxFaceShed, LoadOptions.Parse([]).MaxFaceShed);
    }

    [Fact]
    public void Options_parse_the_modes_and_refuse_bad_values()
    {
        var routine = LoadOptions.Parse([]);
        var soak = LoadOptions.Parse(["--long", "--fps", "5"]);

        Assert.Equal(LoadMode.Routine, routine.Mode);
        Assert.Equal(3, routine.FramesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(1), routine.MaxP99);
        Assert.Equal(LoadMode.Soak, soak.Mode);
        Assert.Equal(5, soak.FramesPerSecond);
        Assert.Equal(TimeSpan.FromMinutes(10), soak.Soak);
        Assert.True(soak.CeilingPoint > routine.CeilingPoint);

        // Both modes confirm the count their steps found in a step twice as long as the long mode's.
        Assert.Equal(soak.StepDuration * 2, routine.ConfirmStep);
        Assert.True(routine.ConfirmStep > routine.StepDuration);
        Assert.True(soak.ConfirmStep > soak.StepDuration);
        Assert.Equal(TimeSpan.Zero, LoadOptions.Parse(["--confirm", "0"]).ConfirmStep);
        Assert.Equal(TimeSpan.FromSeconds(0.5), LoadOptions.Parse(["--ceiling-point", "0.5"]).CeilingPoint);

        // The long mode's calls end and are replaced; its silo keeps ended timelines a minute. The short mode's neither.
        Assert.Equal(TimeSpan.FromMinutes(3), soak.CallLength);
        Assert.Equal(TimeSpan.FromMinutes(1), soak.Retention);
        Assert.Null(routine.CallLength);
        Assert.Null(routine.Retention);
        var churn = LoadOptions.Parse(["--calls", "8", "--soak", "240", "--call-length", "60", "--retention", "30", "--storage-cost"]);
        Assert.Equal((TimeSpan.FromSeconds(240), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30)), (churn.Soak, churn.CallLength!.Value, churn.Retention!.Value));
        Assert.True(churn.StorageCostOnly);
        Assert.Throws<ArgumentException>(() => LoadOptions.Parse(["--call-length", "2"]));
        Assert.Throws<ArgumentException>(() => LoadOptions.Parse(["--calls", "0"]));
        Assert.Throws<ArgumentException>(() => LoadOptions.Parse(["--fps"]));
        Assert.Throws<ArgumentException>(() => LoadOptions.Parse(["--bogus"]));
    }

    [Fact]
    public void Synthetic_media_is_16_kHz_speech_640x480_jpeg_frames_and_written_lines()
    {
        var media = SyntheticMedia.Load(SyntheticMedia.DefaultFolder);

        Assert.Equal(16_000, media.SampleRate);
        Assert.True(media.Audio.Count > 16_000 * 30);
        Assert.True(media.Lines.Count >= 30);
        Assert.Contains(media.Lines, l => l.Speaker == Speaker.Customer);
        Assert.All(media.Frames, f =>
        {
            Assert.Equal([0xFF, 0xD8], f[..2]);
            using var image = SixLabors.ImageSharp.Image.Load(f);
            Assert.Equal((640, 480), (image.Width, image.Height));
        });

        // Chunks wrap around the end of the audio.
        var tail = media.AudioChunk(media.Audio.Count - 1, 2);
        Assert.Equal(4, tail.Length);
        Assert.Equal(media.Audio[0], (short)(tail[2] | (tail[3] << 8)));
    }

    [Fact]
    public void The_true_ceiling_is_the_calls_whose_summed_stage_needs_fill_the_machine()
    {
        // Text: 0.5 segments per call-second at 5 per core-second; face: 3 frames per call-second at
        // 15 per core-second; the process got 1.5 of the 2 cores while measuring.
        var figures = TrueCeilingFigures.Of(
            [
                new StageCeiling("text", 0.5, 8, 7.5, 5, 1.5, null),
                new StageCeiling("face", 3, 8, 22.5, 15, 1.5, null),
            ],
            cores: 2,
            parallel: 2,
            pointSeconds: 1);

        // One call needs 0.1 + 0.2 = 0.3 cores: 3.33 calls per core, 6.67 on 2 cores; 5 on the 1.5 cores it got.
        Assert.Equal(0.3, figures.CoreSecondsPerCallSecond, 6);
        Assert.Equal(1 / 0.3, figures.CallsPerCore, 6);
        Assert.Equal(2 / 0.3, figures.Calls, 6);
        Assert.Equal(1.5 / 0.3, figures.WallCalls, 6);
    }

    [Fact]
    public void Soak_memory_is_flat_unless_it_grows_steadily_after_the_first_minute()
    {
        // A start-up jump in the first minute, then flat with noise: flat.
        var settling = Enumerable.Range(0, 61).Select(i => new MemorySample(i * 10, (i < 6 ? 300 + (i * 20) : 400) + (i % 2), 100)).ToList();
        // 2 MiB per minute for ten minutes on 400 MiB: 20 MiB, 5 %, is within; 5 MiB per minute is not.
        var slow = Enumerable.Range(0, 61).Select(i => new MemorySample(i * 10, 400 + (i * 10 * 1.5 / 60), 100)).ToList();
        var leaking = Enumerable.Range(0, 61).Select(i => new MemorySample(i * 10, 400 + (i * 10 * 5.0 / 60), 100 + (i * 10 * 5.0 / 60))).ToList();

        var flat = MemoryFigures.Of(settling);
        var growing = MemoryFigures.Of(leaking);

        Assert.True(flat.Flat);
        Assert.Equal(0, flat.RssSlopeMbPerMinute, 1);
        Assert.Equal(300, flat.StartRssMb);
        Assert.True(MemoryFigures.Of(slow).Flat);
        Assert.False(growing.Flat);
        Assert.Equal(5, growing.RssSlopeMbPerMinute, 6);
        Assert.Equal(5, growing.ManagedSlopeMbPerMinute, 6);
    }

    [Fact]
    public void Soak_memory_is_split_into_live_managed_heap_and_native_memory_with_their_own_slopes()
    {
        // RSS grows 3 MiB per minute, all of it in the live managed heap (e.g. stored timelines); native stays.
        var samples = Enumerable.Range(0, 31).Select(i => new MemorySample(i * 10, 500 + (i * 10 * 3.0 / 60), 150, 80 + (i * 10 * 3.0 / 60), 200 + (i * 10 * 3.0 / 60))).ToList();

        var figures = MemoryFigures.Of(samples);

        Assert.Equal(3, figures.LiveManagedSlopeMbPerMinute, 6);
        Assert.Equal(0, figures.NativeSlopeMbPerMinute, 6);
        Assert.Equal(300, samples[0].NativeMb, 6);
        Assert.Equal(0, new MemorySample(0, 500, 150).NativeMb);
    }

    [Fact]
    public void Calls_that_end_are_replaced_at_once_so_the_number_of_concurrent_calls_stays_the_same()
    {
        var length = TimeSpan.FromSeconds(600);
        var warmUp = TimeSpan.FromSeconds(5);
        var plan = LoadStep.Plan(8, length, warmUp, TimeSpan.FromSeconds(120));

        for (var t = warmUp.TotalSeconds; t < length.TotalSeconds; t += 0.25)
        {
            Assert.Equal(8, plan.Count(c => c.Start.TotalSeconds <= t && t < (c.Start + c.Length).TotalSeconds));
        }

        // Calls end one at a time, not all at once; none is shorter than five seconds; every id is new.
        var ends = plan.Select(c => c.Start + c.Length).Where(e => e < length).ToList();
        Assert.Equal(ends.Count, ends.Distinct().Count());
        Assert.All(plan, c => Assert.True(c.Length >= TimeSpan.FromSeconds(5), $"{c} is shorter than 5 s"));
        Assert.All(plan, c => Assert.True(c.Length <= TimeSpan.FromSeconds(125), $"{c} is longer than a call"));
        Assert.Equal(plan.Count, plan.Select(c => c.Id("run")).Distinct().Count());
        Assert.InRange(plan.Count, 8 * 5, 8 * 6);
    }

    [Fact]
    public void Without_a_call_length_each_slot_has_one_call_to_the_end_of_the_step()
    {
        var plan = LoadStep.Plan(4, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), null);

        Assert.Equal(4, plan.Count);
        Assert.All(plan, c => Assert.Equal(TimeSpan.FromSeconds(30), c.Start + c.Length));
        Assert.Equal(["run-c000", "run-c001", "run-c002", "run-c003"], plan.Select(c => c.Id("run")));
    }
}
