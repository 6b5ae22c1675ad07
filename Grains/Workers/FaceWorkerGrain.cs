using Emotion.Orleans.Inference;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Emotion.Orleans.Grains;

/// <summary>Runs the face recognizer; frames that arrive together share one model run.</summary>
// One activation per silo, so all the silo's requests meet in one batcher (see RequestBatcher).
[StatelessWorker(1)]
[PreferGpuSilo]
// Reentrant so that requests arriving during the batch window join the waiting batch. Safe:
// the only state is the batcher, touched solely on this activation's scheduler; it hands model
// runs (up to Workers:MaxConcurrentRuns at once) to the silo's low-priority face threads (or, with
// Workers:FaceRunsYield off, to the thread pool within the silo's ModelRunSlots) and answers back
// on this scheduler.
[Reentrant]
public sealed class FaceWorkerGrain(IFaceRecognizer recognizer, IOptions<WorkerOptions> options, ModelRunSlots slots, LowPriorityRunThreads threads, EmotionMetrics metrics, TimeProvider time) : Grain, IFaceWorkerGrain
{
    private readonly RequestBatcher<ReadOnlyMemory<byte>, FaceObservation> _batcher = new(metrics.InstrumentBatches<ReadOnlyMemory<byte>, FaceObservation>(Modality.Face, recognizer.Recognize), options.Value.MaxFaceBatchSize, options.Value.FaceBatchWindow, time, options.Value.MaxConcurrentRuns,
        options.Value.FaceRunsYield ? null : slots,
        ModelRunPriority.Low,
        options.Value.FaceRunsYield ? threads : null);

    /// <inheritdoc />
    public async Task<FaceResult> Recognize(string callId, byte[] image)
    {
        try
        {
            var observation = await metrics.TrackRequestAsync(Modality.Face, () => _batcher.Enqueue(image));
            return new FaceResult(observation.Prediction?.ToLogits());
        }
        catch (InvalidInputException e)
        {
            throw e.ToMalformed(callId);
        }
    }
}
