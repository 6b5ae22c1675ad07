using System.Diagnostics.Metrics;
using Emotion.Orleans.Grains;
using Emotion.Orleans.LoadGenerator;

namespace Emotion.Orleans.Load.Tests;

/// <summary>What a soak measures as it goes: its windows, and the benchmark's own bounded memory.</summary>
public sealed class SoakWindowTests
{
    [Fact]
    public void A_window_holds_only_the_latencies_measured_since_the_previous_one()
    {
        var recorder = new LoadRecorder();
        recorder.Answered(InputModality.Speech, measured: true, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(900), results: 1);
        recorder.Answered(InputModality.Face, measured: true, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(800), results: 1);
        var first = recorder.TakeWindow();

        recorder.Answered(InputModality.Text, measured: true, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(40), results: 2);
        recorder.Dropped(InputModality.Speech);
        var second = recorder.TakeWindow();

        Assert.Equal(2, first.EventToResult.Count);
        Assert.Equal(2, second.EventToResult.Count);
        Assert.True(second.EventToResult.Max < 41, "the first window's slow results are not in the second");
        Assert.Equal(4, second.MeasuredResults);
        Assert.Equal(1, second.Dropped);
        Assert.Equal(1, second.FramesAnswered);
    }

    [Fact]
    public void A_window_counts_what_changed_in_it_and_its_own_share_of_frames_shed()
    {
        var latency = new LatencySummary(60, 20, 80, 120, 150);
        var before = new RecorderTotals(latency, MeasuredResults: 1_000, Dropped: 1, Refused: 0, FramesAnswered: 2_000);
        var after = new RecorderTotals(latency, MeasuredResults: 7_000, Dropped: 3, Refused: 1, FramesAnswered: 2_500);

        var window = StepWindow.Between(60, 60, before, after, shedFrames: 25, processCpuCores: 1.8);

        Assert.Equal(100, window.ResultsPerSecond, precision: 6);
        Assert.Equal(2, window.Dropped);
        Assert.Equal(1, window.Refused);
        Assert.Equal(500, window.FramesAnswered);
        Assert.Equal(0.05, window.FaceShedShare!.Value, precision: 6);
        Assert.Same(latency, window.EventToResult);
    }

    [Fact]
    public void The_batch_listener_keeps_a_bounded_run_order_but_summarises_every_run()
    {
        using var meter = new Meter(EmotionMetrics.MeterName);
        var sizes = meter.CreateHistogram<int>(EmotionMetrics.Instruments.BatchSize);
        using var listener = new BatchSizeListener();
        // A modality of its own: a silo of another test in this process records on the same meter name.
        var modality = $"test-{Guid.NewGuid():N}";
        var tag = new KeyValuePair<string, object?>(EmotionMetrics.Labels.Modality, modality);
        var runs = BatchSizeListener.KeptInOrder + 10;
        for (var i = 0; i < runs; i++)
        {
            sizes.Record(i < BatchSizeListener.KeptInOrder ? 2 : 8, tag);
        }

        var face = listener.Take()[modality];

        Assert.Equal(BatchSizeListener.KeptInOrder, face.InOrder.Count);
        Assert.Equal(runs, face.Summary.Runs);
        Assert.Equal(8, face.Summary.Max);
        Assert.Equal(((2.0 * BatchSizeListener.KeptInOrder) + 80) / runs, face.Summary.Mean, precision: 9);
        Assert.False(listener.Take().ContainsKey(modality), "taken runs are forgotten");
    }

    [Theory]
    [InlineData(105, 92)]
    [InlineData(16, 14)]
    [InlineData(7, 6)]
    [InlineData(1, 0)]
    public void A_soak_that_fails_is_followed_by_one_an_eighth_smaller(int calls, int next) =>
        Assert.Equal(next, LoadBenchmark.SoakStepDown(calls));

    [Theory]
    [InlineData(113, 124.8, 100)]
    [InlineData(113, null, 99)]
    [InlineData(113, 110.0, 99)]
    [InlineData(100, 124.8, 88)]
    [InlineData(105, 140.0, 92)]
    [InlineData(110, 125.0, 100)]
    public void A_soak_that_fails_is_followed_by_one_at_the_sustained_share_of_the_ceiling_when_that_lies_between(int calls, double? ceiling, int next) =>
        Assert.Equal(next, LoadBenchmark.NextSoakCount(calls, ceiling));

    [Fact]
    public void Long_mode_parses_two_soak_attempts_and_a_fixed_count_may_ask_for_more()
    {
        Assert.Equal(2, LoadOptions.Parse(["--long"]).SoakAttempts);
        Assert.Equal(1, LoadOptions.Parse(["--calls", "8", "--soak", "60"]).SoakAttempts);
        Assert.Equal(3, LoadOptions.Parse(["--long", "--soak-attempts", "3"]).SoakAttempts);
        Assert.Throws<ArgumentException>(() => LoadOptions.Parse(["--soak-attempts", "0"]));
    }

    [Fact]
    public void A_memory_slope_that_rounds_to_zero_prints_as_plus_zero_not_a_negative_zero()
    {
        MemorySample[] samples = [new(0, 700, 100, 100, 300), new(60, 700, 100, 100, 300), new(120, 700, 100, 100, 300), new(180, 699.999, 100, 100, 300)];

        var line = BenchmarkReport.DescribeMemory(MemoryFigures.Of(samples));

        Assert.DoesNotContain("-+", line, StringComparison.Ordinal);
        Assert.Contains("+0.00 MiB/min RSS", line, StringComparison.Ordinal);
    }
}
