using Emotion.Orleans.Inference;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Emotion.Orleans.Grains;

/// <summary>Runs the speech recognizer; utterances that arrive together share one model run.</summary>
// One activation per silo, so all the silo's requests meet in one batcher (see RequestBatcher).
[StatelessWorker(1)]
[PreferGpuSilo]
// Reentrant so that requests arriving during the batch window join the waiting batch. Safe:
// the only state is the batcher, touched solely on this activation's scheduler; it hands model
// runs (up to Workers:MaxConcurrentRuns at once, within the silo's ModelRunSlots) to the thread pool
// and answers back on this scheduler.
[Reentrant]
public sealed class SpeechWorkerGrain(ISpeechRecognizer recognizer, IOptions<WorkerOptions> options, ModelRunSlots slots, EmotionMetrics metrics, TimeProvider time) : Grain, ISpeechWorkerGrain
{
    private readonly RequestBatcher<SpeechUtterance, SpeechRecognition> _batcher = new(metrics.InstrumentBatches<SpeechUtterance, SpeechRecognition>(Modality.Speech, recognizer.Recognize), options.Value.MaxBatchSize, options.Value.SpeechBatchWindow, time, options.Value.MaxConcurrentRuns, slots, ModelRunPriority.High);

    /// <inheritdoc />
    public async Task<ClassLogits> Recognize(string callId, float[] samples16k) => (await Recognize(callId, samples16k, null)).Logits;

    /// <inheritdoc />
    public async Task<SpeechRecognitionResult> Recognize(string callId, float[] samples16k, SpeakerFeatureStatistics? speaker)
    {
        try
        {
            var statistics = speaker?.ToStatistics(callId);
            var result = await metrics.TrackRequestAsync(Modality.Speech, () => _batcher.Enqueue(new SpeechUtterance(samples16k, statistics)));
            return new SpeechRecognitionResult(result.Prediction.ToLogits(), result.Speaker?.ToWire());
        }
        catch (InvalidInputException e)
        {
            throw e.ToMalformed(callId);
        }
    }
}
