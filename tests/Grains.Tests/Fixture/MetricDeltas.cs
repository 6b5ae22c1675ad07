using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>
/// Sums what the product's counters record in this process from now on: refusals by reason and
/// the change of the active-calls gauge.
/// </summary>
public sealed class MetricDeltas : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _refused = new();
    private long _activeCalls;

    public MetricDeltas()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == EmotionMetrics.MeterName &&
                instrument.Name is EmotionMetrics.Instruments.ItemsRefused or EmotionMetrics.Instruments.ActiveCalls)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == EmotionMetrics.Instruments.ActiveCalls)
            {
                Interlocked.Add(ref _activeCalls, value);
                return;
            }

            foreach (var tag in tags)
            {
                if (tag.Key == EmotionMetrics.Labels.Reason && tag.Value is string reason)
                {
                    _refused.AddOrUpdate(reason, value, (_, sum) => sum + value);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Items refused or dropped since this started, for a reason label (e.g. <c>superseded</c>).</summary>
    public long Refused(string reason) => _refused.GetValueOrDefault(reason);

    /// <summary>Change of the active-calls gauge since this started.</summary>
    public long ActiveCalls => Interlocked.Read(ref _activeCalls);

    public void Dispose() => _listener.Dispose();
}
