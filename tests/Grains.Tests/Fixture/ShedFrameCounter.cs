using System.Diagnostics.Metrics;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>Counts the face frames the silos in this process shed as superseded (metric <see cref="EmotionMetrics.Instruments.ItemsRefused"/>).</summary>
internal sealed class ShedFrameCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;

    public ShedFrameCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == EmotionMetrics.MeterName && instrument.Name == EmotionMetrics.Instruments.ItemsRefused)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? modality = null, reason = null;
            foreach (var tag in tags)
            {
                modality = tag.Key == EmotionMetrics.Labels.Modality ? tag.Value?.ToString() : modality;
                reason = tag.Key == EmotionMetrics.Labels.Reason ? tag.Value?.ToString() : reason;
            }

            if (modality == "face" && reason == "superseded")
            {
                Interlocked.Add(ref _count, value);
            }
        });
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
