using System.Diagnostics.Metrics;
using Emotion.Orleans.Grains;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>
/// Records the batch size of every model run of the inference workers in this process (the
/// embedded silo's <see cref="EmotionMetrics"/> histogram <see cref="EmotionMetrics.Instruments.BatchSize"/>),
/// per modality, so the ceiling run can use the same batches, and the frames the calls' admission
/// control shed (counter <see cref="EmotionMetrics.Instruments.ItemsRefused"/>, face, reasons
/// superseded and rate limited). Sees nothing when the silo runs elsewhere. Its memory is bounded:
/// a soak's hundreds of runs a second would otherwise grow the heap the soak measures.
/// </summary>
public sealed class BatchSizeListener : IDisposable
{
    /// <summary>Runs per modality whose sizes are kept in order (a 60 s step at the ceiling has about a tenth of this); the summary counts every run.</summary>
    public const int KeptInOrder = 65_536;

    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Runs> _sizes = new(StringComparer.OrdinalIgnoreCase);
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

    /// <summary>
    /// The model runs recorded since the last call, per modality (text, speech, face): the first
    /// <see cref="KeptInOrder"/> sizes in order and the summary of all of them; forgets them.
    /// </summary>
    public IReadOnlyDictionary<string, RecordedBatches> Take()
    {
        lock (_gate)
        {
            var taken = _sizes.ToDictionary(
                p => p.Key.ToLowerInvariant(),
                p => new RecordedBatches([.. p.Value.InOrder], new BatchSummary(p.Value.Count, p.Value.Count > 0 ? (double)p.Value.Sum / p.Value.Count : 0, p.Value.Max)));
            _sizes.Clear();
            return taken;
        }
    }

    /// <summary>Frames shed by admission control since the last call (replaced by a newer frame or over the face rate), and forgets them.</summary>
    public long TakeShedFrames() => Interlocked.Exchange(ref _shedFrames, 0);

    /// <summary>Frames shed since <see cref="TakeShedFrames"/> last forgot them, without forgetting them.</summary>
    public long PeekShedFrames() => Interlocked.Read(ref _shedFrames);

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
            if (!_sizes.TryGetValue(modality, out var runs))
            {
                _sizes[modality] = runs = new Runs();
            }

            if (runs.InOrder.Count < KeptInOrder)
            {
                runs.InOrder.Add(size);
            }

            runs.Count++;
            runs.Sum += size;
            runs.Max = Math.Max(runs.Max, size);
        }
    }

    private sealed class Runs
    {
        public List<int> InOrder { get; } = [];

        public int Count { get; set; }

        public long Sum { get; set; }

        public int Max { get; set; }
    }
}

/// <summary>One modality's model runs in a step.</summary>
/// <param name="InOrder">The first runs' batch sizes, in order (at most <see cref="BatchSizeListener.KeptInOrder"/>).</param>
/// <param name="Summary">Every run: count, mean and largest size.</param>
public sealed record RecordedBatches(IReadOnlyList<int> InOrder, BatchSummary Summary);
