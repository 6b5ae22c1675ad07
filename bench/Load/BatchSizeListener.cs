using System.Diagnostics.Metrics;
using Emotion.Orleans.Grains;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>
/// Records the batch size of every model run of the inference workers in this process (the
/// embedded silo's <see cref="EmotionMetrics"/> histogram <see cref="EmotionMetrics.Instruments.BatchSize"/>),
/// per modality, so the ceiling run can use the same batches, and the frames the calls' admission
/// control shed (counter <see cref="EmotionMetrics.Instruments.ItemsRefused"/>, face, reasons
/// superseded and rate limited). Sees nothing when the silo runs elsewhere.
/// </summary>
public sealed class BatchSizeListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<int>> _sizes = new(StringComparer.OrdinalIgnoreCase);
    private long _shedFrames;

    /// <summary>Starts listening.</summary>
    public BatchSizeListener()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == EmotionMetrics.MeterName && instrument.Name is EmotionMetrics.Instruments.BatchSize or EmotionMetrics.Instruments.ItemsRefused)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>(OnMeasurement);
        _listener.SetMeasurementEventCallback<long>(OnRefused);
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

    /// <summary>Frames shed by admission control since the last call (replaced by a newer frame or over the face rate), and forgets them.</summary>
    public long TakeShedFrames() => Interlocked.Exchange(ref _shedFrames, 0);

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void OnRefused(Instrument instrument, long count, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? modality = null, reason = null;
        foreach (var tag in tags)
        {
            if (tag.Key == EmotionMetrics.Labels.Modality)
            {
                modality = tag.Value?.ToString();
            }
            else if (tag.Key == EmotionMetrics.Labels.Reason)
            {
                reason = tag.Value?.ToString();
            }
        }

        if (string.Equals(modality, "face", StringComparison.OrdinalIgnoreCase) && reason is "superseded" or "rate_limited")
        {
            Interlocked.Add(ref _shedFrames, count);
        }
    }

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
