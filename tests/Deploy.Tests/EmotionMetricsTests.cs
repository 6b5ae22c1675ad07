using System.Diagnostics.Metrics;
using Emotion.Orleans.Grains;
using Emotion.Orleans.Inference;
using Microsoft.Extensions.DependencyInjection;

namespace Emotion.Orleans.Deploy.Tests;

// Uses the silo's own EmotionMetrics: a second meter of the same name in this process would share
// the exporter's metric streams with it, and disposing it would end them.
[Collection(SiloMetricsDefinition.Name)]
public sealed class EmotionMetricsTests : IDisposable
{
    private readonly SiloMetricsFixture _silo;
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = [];

    public EmotionMetricsTests(SiloMetricsFixture silo)
    {
        _silo = silo;
        var factory = silo.MeterFactory;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    private EmotionMetrics Metrics => _silo.Metrics;

    [Fact]
    public async Task A_tracked_request_is_in_flight_while_it_runs_and_records_its_latency_even_when_it_fails()
    {
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var request = Metrics.TrackRequestAsync(Modality.Face, () => gate.Task);
        Assert.Equal([1.0], Values(EmotionMetrics.Instruments.WorkerInFlight));
        Assert.Empty(Values(EmotionMetrics.Instruments.ModalityLatency));

        gate.SetException(new TimeoutException("worker timed out"));
        await Assert.ThrowsAsync<TimeoutException>(() => request);
        Assert.Equal([1.0, -1.0], Values(EmotionMetrics.Instruments.WorkerInFlight));
        var latency = Assert.Single(_measurements, m => m.Instrument == EmotionMetrics.Instruments.ModalityLatency);
        Assert.Equal("face", latency.Tags[EmotionMetrics.Labels.Modality]);
        Assert.True(latency.Value >= 0);
    }

    [Fact]
    public void Instrumented_batches_record_their_size_and_count_failures_but_not_refused_inputs()
    {
        var run = Metrics.InstrumentBatches<string, int>(Modality.Text, batch => batch.Any(t => t.Length == 0)
            ? throw new InvalidInputException(Modality.Text, InputErrorKind.Empty, "empty text")
            : batch.Any(t => t == "boom") ? throw new InvalidOperationException("model run failed") : [.. batch.Select(t => t.Length)]);

        Assert.Equal([2, 3], run(["ab", "cde"]));
        Assert.Throws<InvalidInputException>(() => run(["", "x"]));
        Assert.Throws<InvalidOperationException>(() => run(["boom"]));

        Assert.Equal([2.0, 2.0, 1.0], Values(EmotionMetrics.Instruments.BatchSize));
        var error = Assert.Single(_measurements, m => m.Instrument == EmotionMetrics.Instruments.InferenceErrors);
        Assert.Equal("other", error.Tags[EmotionMetrics.Labels.ErrorType]);
        Assert.Equal("text", error.Tags[EmotionMetrics.Labels.Modality]);
    }

    [Theory]
    [InlineData(typeof(OutOfOrderTimestampException), "out_of_order")]
    [InlineData(typeof(CallEndedException), "call_ended")]
    [InlineData(typeof(CallNotFoundException), "call_not_found")]
    [InlineData(typeof(MalformedInputException), "malformed")]
    public void Refusals_are_labelled_by_the_kind_of_call_error(Type error, string reason)
    {
        Metrics.Refused(InputModality.Speech, (CallException)Activator.CreateInstance(error)!);
        var refused = Assert.Single(_measurements, m => m.Instrument == EmotionMetrics.Instruments.ItemsRefused);
        Assert.Equal(reason, refused.Tags[EmotionMetrics.Labels.Reason]);
        Assert.Equal("speech", refused.Tags[EmotionMetrics.Labels.Modality]);
    }

    [Fact]
    public void The_registered_stage_observer_records_stage_latency_by_modality_and_stage()
    {
        var observer = _silo.App.Services.GetRequiredService<IInferenceStageObserver>();
        observer.StageCompleted(Modality.Face, InferenceStage.Model, 4, TimeSpan.FromMilliseconds(13));
        var stage = Assert.Single(_measurements, m => m.Instrument == EmotionMetrics.Instruments.StageLatency);
        Assert.Equal(13, stage.Value, 6);
        Assert.Equal("face", stage.Tags[EmotionMetrics.Labels.Modality]);
        Assert.Equal("model", stage.Tags[EmotionMetrics.Labels.Stage]);
    }

    public void Dispose() => _listener.Dispose();

    private List<double> Values(string instrument) => [.. _measurements.Where(m => m.Instrument == instrument).Select(m => m.Value)];

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_measurements)
        {
            _measurements.Add((instrument.Name, value, new Dictionary<string, object?>(tags.ToArray())));
        }
    }
}
