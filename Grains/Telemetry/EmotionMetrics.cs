using System.Diagnostics;
using System.Diagnostics.Metrics;
using Emotion.Orleans.Inference;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace Emotion.Orleans.Grains;

/// <summary>
/// The product's metrics (meter <see cref="MeterName"/>) and trace source (<see cref="ActivitySource"/>).
/// Labels are a small fixed set (modality, stage, reason, error type, trigger): never a call id, so
/// the number of series stays bounded however many calls run. One instance per silo (singleton).
/// </summary>
public sealed class EmotionMetrics
{
    /// <summary>Name of the meter and of the activity source.</summary>
    public const string MeterName = "Emotion.Orleans";

    /// <summary>Latency histogram bucket bounds in milliseconds (1 ms … 5 s).</summary>
    public static IReadOnlyList<double> LatencyBucketsMs { get; } = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

    /// <summary>Batch size histogram bucket bounds (the worker's batch is at most 256).</summary>
    public static IReadOnlyList<double> BatchSizeBuckets { get; } = [1, 2, 4, 8, 16, 32, 64, 128, 256];

    /// <summary>Source of the spans of one media item's trace: session → worker → fusion.</summary>
    public static ActivitySource ActivitySource { get; } = new(MeterName);

    private static readonly string[] ModalityNames = ["text", "speech", "face"];
    private static readonly string[] StageNames = ["decode", "model", "classifier"];
    private static readonly string[] ReasonNames = ["malformed", "out_of_order", "call_ended", "call_not_found", "segment_skipped", "overloaded", "superseded", "rate_limited"];

    private readonly Histogram<double> _modalityLatency;
    private readonly Histogram<double> _stageLatency;
    private readonly Histogram<double> _eventToResultLatency;
    private readonly Histogram<double> _fusionLatency;
    private readonly Histogram<double> _replySuggestionLatency;
    private readonly Histogram<int> _batchSize;
    private readonly UpDownCounter<long> _workerInFlight;
    private readonly Counter<long> _inputsReceived;
    private readonly Counter<long> _itemsRefused;
    private readonly UpDownCounter<long> _activeCalls;
    private readonly Counter<long> _resultsPublished;
    private readonly Counter<long> _inferenceErrors;

    /// <summary>Creates the instruments on a meter from the host's meter factory.</summary>
    public EmotionMetrics(IMeterFactory meterFactory, IOptions<EmotionTelemetryOptions> options)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(options);
        var meter = meterFactory.Create(MeterName);
        var latencyAdvice = new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBucketsMs };
        _modalityLatency = meter.CreateHistogram(
            Instruments.ModalityLatency, Milliseconds, "Worker request time per modality: queueing for a batch plus the model run.", tags: null, latencyAdvice);
        _stageLatency = meter.CreateHistogram(
            Instruments.StageLatency, Milliseconds, "Time of one inference stage (decode/features, model run, classifier) for one batch.", tags: null, latencyAdvice);
        _eventToResultLatency = meter.CreateHistogram(
            Instruments.EventToResultLatency, Milliseconds, "From a media item's arrival at its call to the fused result it produced being published.", tags: null, latencyAdvice);
        _fusionLatency = meter.CreateHistogram(
            Instruments.FusionLatency, Milliseconds, "Time of one fusion (attention fusion and label MLP).", tags: null, latencyAdvice);
        _replySuggestionLatency = meter.CreateHistogram(
            Instruments.ReplySuggestionLatency, Milliseconds, "Time to suggest one agent reply.", tags: null, latencyAdvice);
        _batchSize = meter.CreateHistogram(
            Instruments.BatchSize, "{item}", "Items in one model run.", tags: null, new InstrumentAdvice<int> { HistogramBucketBoundaries = [.. BatchSizeBuckets.Select(b => (int)b)] });
        _workerInFlight = meter.CreateUpDownCounter<long>(
            Instruments.WorkerInFlight, "{request}", "Requests a worker holds: waiting for a batch or in a model run.");
        _inputsReceived = meter.CreateCounter<long>(
            Instruments.InputsReceived, "{item}", "Media items (transcript segments, audio chunks, video frames) received by calls.");
        _itemsRefused = meter.CreateCounter<long>(
            Instruments.ItemsRefused, "{item}", "Media items refused or dropped, by reason.");
        _activeCalls = meter.CreateUpDownCounter<long>(
            Instruments.ActiveCalls, "{call}", "Calls started and not yet ended whose session is on this silo.");
        _resultsPublished = meter.CreateCounter<long>(
            Instruments.ResultsPublished, "{result}", "Fused results published, by trigger.");
        _inferenceErrors = meter.CreateCounter<long>(
            Instruments.InferenceErrors, "{error}", "Failed model runs, by modality and error type.");
        var siloTags = new[] { new KeyValuePair<string, object?>(Labels.Gpu, options.Value.GpuSilo ? "true" : "false") };
        meter.CreateObservableGauge(
            Instruments.SiloInfo, () => new Measurement<int>(1, siloTags), unit: null, "One per running silo; label gpu tells GPU silos apart.");
    }

    /// <summary>Records a worker request's time (queueing plus model run) for one item.</summary>
    public void RecordModalityLatency(Modality modality, TimeSpan elapsed) =>
        _modalityLatency.Record(elapsed.TotalMilliseconds, ModalityTag(modality));

    /// <summary>Records the time of one stage of one batch.</summary>
    public void RecordStage(Modality modality, InferenceStage stage, TimeSpan elapsed) =>
        _stageLatency.Record(elapsed.TotalMilliseconds, ModalityTag(modality), new KeyValuePair<string, object?>(Labels.Stage, StageNames[(int)stage]));

    /// <summary>Records the size of one model run.</summary>
    public void RecordBatch(Modality modality, int size) => _batchSize.Record(size, ModalityTag(modality));

    /// <summary>Records the size (calls' windows) of one voice-activity run, as modality <c>voice_activity</c>.</summary>
    public void RecordVoiceActivityBatch(int size) => _batchSize.Record(size, new KeyValuePair<string, object?>(Labels.Modality, "voice_activity"));

    /// <summary>Counts a request into a worker until the returned scope is disposed.</summary>
    public InFlightScope TrackInFlight(Modality modality)
    {
        _workerInFlight.Add(1, ModalityTag(modality));
        return new InFlightScope(_workerInFlight, ModalityTag(modality));
    }

    /// <summary>
    /// Runs one worker request: counts it in flight while it waits and runs, and records its latency
    /// (<see cref="Instruments.ModalityLatency"/>) whether it succeeds or fails.
    /// </summary>
    public async Task<T> TrackRequestAsync<T>(Modality modality, Func<Task<T>> request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var start = Stopwatch.GetTimestamp();
        using var inFlight = TrackInFlight(modality);
        try
        {
            return await request();
        }
        finally
        {
            RecordModalityLatency(modality, Stopwatch.GetElapsedTime(start));
        }
    }

    /// <summary>
    /// Wraps a batch run (e.g. a recognizer's <c>Recognize</c>) so each run records its batch size,
    /// runs in an <see cref="Spans.InferenceBatch"/> span and counts its failure by error type. A refused
    /// input (<see cref="InvalidInputException"/>) is not an inference error: the call that sent it counts it.
    /// </summary>
    public Func<IReadOnlyList<TIn>, IReadOnlyList<TOut>> InstrumentBatches<TIn, TOut>(Modality modality, Func<IReadOnlyList<TIn>, IReadOnlyList<TOut>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return batch =>
        {
            RecordBatch(modality, batch.Count);
            using var span = StartInferenceBatch(modality, []);
            span?.SetTag(SpanAttributes.BatchSize, batch.Count);
            try
            {
                return run(batch);
            }
            catch (Exception e) when (e is not InvalidInputException)
            {
                InferenceFailed(modality, e);
                span?.SetStatus(ActivityStatusCode.Error, ErrorTypeOf(e));
                throw;
            }
        };
    }

    /// <summary>Counts one media item received by a call.</summary>
    public void InputReceived(Modality modality) => _inputsReceived.Add(1, ModalityTag(modality));

    /// <summary>Counts one media item refused or dropped.</summary>
    public void Refused(Modality modality, RefusalReason reason) =>
        _itemsRefused.Add(1, ModalityTag(modality), new KeyValuePair<string, object?>(Labels.Reason, ReasonNames[(int)reason]));

    /// <summary>Counts one media item refused with a call error (the reason follows from the error's type).</summary>
    public void Refused(Modality modality, CallException error) => Refused(modality, ReasonOf(error));

    /// <summary>Counts one failed model run; the error type label is a fixed classification of the exception.</summary>
    public void InferenceFailed(Modality modality, Exception error) =>
        _inferenceErrors.Add(1, ModalityTag(modality), new KeyValuePair<string, object?>(Labels.ErrorType, ErrorTypeOf(error)));

    /// <summary>Counts an active call on this silo: started here, or its session activated here while the call is active.</summary>
    public void CallStarted() => _activeCalls.Add(1);

    /// <summary>Stops counting an active call on this silo: it ended, or its session left this silo while the call is active.</summary>
    public void CallEnded() => _activeCalls.Add(-1);

    /// <summary>Counts one fused result published.</summary>
    public void ResultPublished(FusionTrigger trigger) =>
        _resultsPublished.Add(1, new KeyValuePair<string, object?>(Labels.Trigger, trigger == FusionTrigger.UtteranceEnd ? "utterance_end" : "cadence"));

    /// <summary>Records the time from a media item's arrival to the publication of the result it produced.</summary>
    public void RecordEventToResult(Modality modality, TimeSpan elapsed) =>
        _eventToResultLatency.Record(elapsed.TotalMilliseconds, ModalityTag(modality));

    /// <summary>Records the time of one fusion.</summary>
    public void RecordFusion(TimeSpan elapsed) => _fusionLatency.Record(elapsed.TotalMilliseconds);

    /// <summary>Records the time of one reply suggestion.</summary>
    public void RecordReplySuggestion(TimeSpan elapsed) => _replySuggestionLatency.Record(elapsed.TotalMilliseconds);

    /// <summary>Counts one media item received by a call.</summary>
    public void InputReceived(InputModality modality) => InputReceived(ToModality(modality));

    /// <summary>Counts one media item refused with a call error.</summary>
    public void Refused(InputModality modality, CallException error) => Refused(ToModality(modality), error);

    /// <summary>Counts one media item refused or dropped.</summary>
    public void Refused(InputModality modality, RefusalReason reason) => Refused(ToModality(modality), reason);

    /// <summary>Records the time from a media item's arrival to the publication of the result it produced.</summary>
    public void RecordEventToResult(InputModality modality, TimeSpan elapsed) => RecordEventToResult(ToModality(modality), elapsed);

    /// <summary>
    /// Starts the root span of one media item (its trace then follows the item through the worker and
    /// the fusion); null when no listener samples it. The call id is a span attribute, not a metric label.
    /// </summary>
    public static Activity? StartMediaItem(string callId, Modality modality, TimeSpan mediaTimestamp)
    {
        var activity = ActivitySource.StartActivity(Spans.MediaItem, ActivityKind.Internal);
        activity?.SetTag(SpanAttributes.CallId, callId);
        activity?.SetTag(SpanAttributes.Modality, ModalityNames[(int)modality]);
        activity?.SetTag(SpanAttributes.MediaTimestampMs, mediaTimestamp.TotalMilliseconds);
        return activity;
    }

    /// <summary>
    /// Starts the span of one model run: a child of the current span (the request that started the
    /// batch) with a link to each request it serves, so every media item's trace reaches its model run.
    /// </summary>
    public static Activity? StartInferenceBatch(Modality modality, IReadOnlyCollection<ActivityContext> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var links = requests.Where(r => r != default).Select(r => new ActivityLink(r));
        var activity = ActivitySource.StartActivity(ActivityKind.Internal, parentContext: default, tags: null, links: links, name: Spans.InferenceBatch);
        activity?.SetTag(SpanAttributes.Modality, ModalityNames[(int)modality]);
        activity?.SetTag(SpanAttributes.BatchSize, requests.Count);
        return activity;
    }

    /// <summary>Starts the span of one fusion (a child of the current media item's span).</summary>
    public static Activity? StartFusion(FusionTrigger? trigger = null)
    {
        var activity = ActivitySource.StartActivity(Spans.Fusion, ActivityKind.Internal);
        if (trigger is { } t)
        {
            activity?.SetTag(SpanAttributes.Trigger, t == FusionTrigger.UtteranceEnd ? "utterance_end" : "cadence");
        }

        return activity;
    }

    /// <summary>Starts the span of one reply suggestion.</summary>
    public static Activity? StartReplySuggestion() => ActivitySource.StartActivity(Spans.ReplySuggestion, ActivityKind.Internal);

    /// <summary>The refusal reason a call error stands for.</summary>
    public static RefusalReason ReasonOf(CallException error) => error switch
    {
        OutOfOrderTimestampException => RefusalReason.OutOfOrder,
        CallEndedException => RefusalReason.CallEnded,
        CallNotFoundException => RefusalReason.CallNotFound,
        _ => RefusalReason.Malformed,
    };

    /// <summary>The error type label of an inference failure: one of a fixed set.</summary>
    public static string ErrorTypeOf(Exception error) => error switch
    {
        InvalidInputException or MalformedInputException => "invalid_input",
        ModelBundleException => "model_bundle",
        OnnxRuntimeException => "onnx_runtime",
        OperationCanceledException or TimeoutException => "timeout",
        OutOfMemoryException or InsufficientExecutionStackException => "resources",
        _ => "other",
    };

    /// <inheritdoc cref="StartMediaItem(string, Modality, TimeSpan)" />
    public static Activity? StartMediaItem(string callId, InputModality modality, TimeSpan mediaTimestamp) =>
        StartMediaItem(callId, ToModality(modality), mediaTimestamp);

    // The wire enum and the inference enum share their values (text 0, speech 1, face 2).
    private static Modality ToModality(InputModality modality) => (Modality)(int)modality;

    private static KeyValuePair<string, object?> ModalityTag(Modality modality) => new(Labels.Modality, ModalityNames[(int)modality]);

    private const string Milliseconds = "ms";

    /// <summary>Counts one request in a worker while it lives (<see cref="TrackInFlight"/>).</summary>
    public readonly struct InFlightScope : IDisposable, IEquatable<InFlightScope>
    {
        private readonly UpDownCounter<long>? _counter;
        private readonly KeyValuePair<string, object?> _tag;

        internal InFlightScope(UpDownCounter<long> counter, KeyValuePair<string, object?> tag)
        {
            _counter = counter;
            _tag = tag;
        }

        /// <summary>Ends the count.</summary>
        public void Dispose() => _counter?.Add(-1, _tag);

        /// <inheritdoc />
        public bool Equals(InFlightScope other) => ReferenceEquals(_counter, other._counter) && _tag.Equals(other._tag);

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is InFlightScope other && Equals(other);

        /// <inheritdoc />
        public override int GetHashCode() => HashCode.Combine(_counter, _tag);

        /// <summary>Equality.</summary>
        public static bool operator ==(InFlightScope left, InFlightScope right) => left.Equals(right);

        /// <summary>Inequality.</summary>
        public static bool operator !=(InFlightScope left, InFlightScope right) => !left.Equals(right);
    }

    /// <summary>Instrument names as created on the meter.</summary>
    public static class Instruments
    {
        /// <summary>Histogram, ms, label modality.</summary>
        public const string ModalityLatency = "emotion_modality_latency";

        /// <summary>Histogram, ms, labels modality and stage.</summary>
        public const string StageLatency = "emotion_stage_latency";

        /// <summary>Histogram, ms, label modality (of the item that produced the result).</summary>
        public const string EventToResultLatency = "emotion_event_to_result_latency";

        /// <summary>Histogram, ms.</summary>
        public const string FusionLatency = "emotion_fusion_latency";

        /// <summary>Histogram, ms.</summary>
        public const string ReplySuggestionLatency = "emotion_reply_suggestion_latency";

        /// <summary>Histogram, items, label modality.</summary>
        public const string BatchSize = "emotion_batch_size";

        /// <summary>Up-down counter, requests, label modality.</summary>
        public const string WorkerInFlight = "emotion_worker_in_flight";

        /// <summary>Counter, items, label modality.</summary>
        public const string InputsReceived = "emotion_inputs_received";

        /// <summary>Counter, items, labels modality and reason.</summary>
        public const string ItemsRefused = "emotion_items_refused";

        /// <summary>Up-down counter, calls.</summary>
        public const string ActiveCalls = "emotion_active_calls";

        /// <summary>Counter, results, label trigger.</summary>
        public const string ResultsPublished = "emotion_results_published";

        /// <summary>Counter, errors, labels modality and error_type.</summary>
        public const string InferenceErrors = "emotion_inference_errors";

        /// <summary>Observable gauge, always 1, label gpu.</summary>
        public const string SiloInfo = "emotion_silo_info";
    }

    /// <summary>
    /// The metric families as the Prometheus exporter names them (unit suffix, <c>_total</c> on
    /// counters; histograms add <c>_bucket</c>, <c>_sum</c>, <c>_count</c>).
    /// </summary>
    public static class PrometheusNames
    {
        /// <summary>Histogram family.</summary>
        public const string ModalityLatency = "emotion_modality_latency_milliseconds";

        /// <summary>Histogram family.</summary>
        public const string StageLatency = "emotion_stage_latency_milliseconds";

        /// <summary>Histogram family.</summary>
        public const string EventToResultLatency = "emotion_event_to_result_latency_milliseconds";

        /// <summary>Histogram family.</summary>
        public const string FusionLatency = "emotion_fusion_latency_milliseconds";

        /// <summary>Histogram family.</summary>
        public const string ReplySuggestionLatency = "emotion_reply_suggestion_latency_milliseconds";

        /// <summary>Histogram family.</summary>
        public const string BatchSize = "emotion_batch_size";

        /// <summary>Gauge.</summary>
        public const string WorkerInFlight = "emotion_worker_in_flight";

        /// <summary>Counter.</summary>
        public const string InputsReceived = "emotion_inputs_received_total";

        /// <summary>Counter.</summary>
        public const string ItemsRefused = "emotion_items_refused_total";

        /// <summary>Gauge.</summary>
        public const string ActiveCalls = "emotion_active_calls";

        /// <summary>Counter.</summary>
        public const string ResultsPublished = "emotion_results_published_total";

        /// <summary>Counter.</summary>
        public const string InferenceErrors = "emotion_inference_errors_total";

        /// <summary>Gauge.</summary>
        public const string SiloInfo = "emotion_silo_info";

        /// <summary>The histogram families.</summary>
        public static IReadOnlyList<string> Histograms { get; } =
            [ModalityLatency, StageLatency, EventToResultLatency, FusionLatency, ReplySuggestionLatency, BatchSize];

        /// <summary>Every series name the meter exports (histograms expanded into their three series).</summary>
        public static IReadOnlyList<string> Series { get; } =
        [
            .. Histograms.SelectMany(h => new[] { h + "_bucket", h + "_sum", h + "_count" }),
            WorkerInFlight, InputsReceived, ItemsRefused, ActiveCalls, ResultsPublished, InferenceErrors, SiloInfo,
        ];
    }

    /// <summary>Label keys.</summary>
    public static class Labels
    {
        /// <summary>text, speech or face.</summary>
        public const string Modality = "modality";

        /// <summary>decode, model or classifier.</summary>
        public const string Stage = "stage";

        /// <summary>A <see cref="RefusalReason"/> in snake case.</summary>
        public const string Reason = "reason";

        /// <summary>invalid_input, model_bundle, onnx_runtime, timeout, resources or other.</summary>
        public const string ErrorType = "error_type";

        /// <summary>utterance_end or cadence.</summary>
        public const string Trigger = "trigger";

        /// <summary>true on GPU silos.</summary>
        public const string Gpu = "gpu";
    }

    /// <summary>Span names.</summary>
    public static class Spans
    {
        /// <summary>Root span of one media item.</summary>
        public const string MediaItem = "emotion.media_item";

        /// <summary>One model run.</summary>
        public const string InferenceBatch = "emotion.inference_batch";

        /// <summary>One fusion.</summary>
        public const string Fusion = "emotion.fusion";

        /// <summary>One reply suggestion.</summary>
        public const string ReplySuggestion = "emotion.reply_suggestion";
    }

    /// <summary>Span attribute keys (the call id is allowed here: spans are not aggregated).</summary>
    public static class SpanAttributes
    {
        /// <summary>The call.</summary>
        public const string CallId = "emotion.call_id";

        /// <summary>text, speech or face.</summary>
        public const string Modality = "emotion.modality";

        /// <summary>The item's timestamp in the call, ms.</summary>
        public const string MediaTimestampMs = "emotion.media_timestamp_ms";

        /// <summary>Items in a model run.</summary>
        public const string BatchSize = "emotion.batch_size";

        /// <summary>Why a fusion ran.</summary>
        public const string Trigger = "emotion.trigger";
    }
}
