using System.Diagnostics.Metrics;
using Emotion.Orleans.Grains;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>
/// Records the batch size of every model run of the inference workers in this process (the
/// embedded silo's <see cref="EmotionMetrics"/> histogram <see cref="EmotionMetrics.Instruments.BatchSize"/>),
/// per modality, so the ceiling run can use the same batches. Sees nothing when the silo runs
/// elsewhere or its workers do not record batches.
/// </summary>
public sealed class BatchSizeListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<int>> _sizes = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Starts listening.</summary>
    public BatchSizeListener()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == EmotionMetrics.MeterName && instrument.Name == EmotionMetrics.Instruments.BatchSize)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>The batch sizes recorded since the last call, per modality (text, speech, face), and forgets them.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<int>> Take()
    {
        lock (_gate)
        {
            var taken = _sizes.ToDictionary(p => p.Key.ToLowerInvariant(), p => (IReadOnlyList<int>)[.. p.Value]);
            _sizes.Clear();
            return taken;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, int size, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? modality = null;
        foreach (var tag in tags)
        {
            if (tag.Key == EmotionMetrics.Labels.Modality)
            {
                modality = tag.Value?.ToString();
            }
        }

        if (modality is null)
        {
            return;
        }

        lock (_gate)
        {
            if (!_sizes.TryGetValue(modality, out var list))
            {
                _sizes[modality] = list = [];
            }

            list.Add(size);
        }
    }
}
