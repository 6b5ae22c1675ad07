using System.Diagnostics;
using Emotion.Orleans.Grains;
using Emotion.Orleans.Silo;
using Emotion.Orleans.Inference;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Emotion.Orleans.Deploy.Tests;

public sealed class TracingTests
{
    [Fact]
    public void Traces_are_exported_only_when_an_otlp_endpoint_is_configured()
    {
        Assert.Null(TracerProviderOf(new Dictionary<string, string?>()));
        Assert.NotNull(TracerProviderOf(new Dictionary<string, string?> { ["Telemetry:OtlpEndpoint"] = "http://127.0.0.1:4317" }));
    }

    [Fact]
    public void A_media_item_span_is_the_root_of_its_fusion_and_links_the_batch_that_served_it()
    {
        List<Activity> stopped = [];
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == EmotionMetrics.MeterName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);

        ActivityContext item;
        ActivityContext other;
        using (var earlier = EmotionMetrics.StartMediaItem("call-6", InputModality.Speech, TimeSpan.FromSeconds(1)))
        {
            other = earlier!.Context;
        }

        using (var media = EmotionMetrics.StartMediaItem("call-7", InputModality.Speech, TimeSpan.FromSeconds(3)))
        {
            Assert.NotNull(media);
            item = media.Context;
            using (EmotionMetrics.StartInferenceBatch(Modality.Speech, [item, other, default]))
            {
            }

            using (EmotionMetrics.StartFusion(FusionTrigger.UtteranceEnd))
            {
            }
        }

        var root = Assert.Single(stopped, a => a.OperationName == EmotionMetrics.Spans.MediaItem && a.SpanId == item.SpanId);
        Assert.Equal(default, root.ParentSpanId);
        Assert.Equal("call-7", root.GetTagItem(EmotionMetrics.SpanAttributes.CallId));
        Assert.Equal("speech", root.GetTagItem(EmotionMetrics.SpanAttributes.Modality));
        Assert.Equal(3000.0, root.GetTagItem(EmotionMetrics.SpanAttributes.MediaTimestampMs));
        Assert.NotEqual(other.TraceId, item.TraceId);

        var fusion = Assert.Single(stopped, a => a.OperationName == EmotionMetrics.Spans.Fusion);
        Assert.Equal(item.TraceId, fusion.TraceId);
        Assert.Equal(item.SpanId, fusion.ParentSpanId);
        Assert.Equal("utterance_end", fusion.GetTagItem(EmotionMetrics.SpanAttributes.Trigger));

        // The batch runs in the trace of the request that started it and links every request it serves.
        var batch = Assert.Single(stopped, a => a.OperationName == EmotionMetrics.Spans.InferenceBatch);
        Assert.Equal(item.SpanId, batch.ParentSpanId);
        Assert.Equal([item, other], batch.Links.Select(l => l.Context));
        Assert.Equal(3, batch.GetTagItem(EmotionMetrics.SpanAttributes.BatchSize));
    }

    private static TracerProvider? TracerProviderOf(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddEmotionTelemetry(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetService<TracerProvider>();
    }
}
