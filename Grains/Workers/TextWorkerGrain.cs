using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Emotion.Orleans.Inference;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Emotion.Orleans.Grains;

/// <summary>Runs the text recognizer; requests that arrive together share one model run.</summary>
// One activation per silo, so all the silo's requests meet in one batcher (see RequestBatcher).
[StatelessWorker(1)]
[PreferGpuSilo]
// Reentrant so that requests arriving during the batch window join the waiting batch. Safe:
// the only state is the batcher, touched solely on this activation's scheduler; it hands model
// runs (up to Workers:MaxConcurrentRuns at once, within the silo's ModelRunSlots) to the thread pool
// and answers back on this scheduler.
[Reentrant]
public sealed class TextWorkerGrain(ITextRecognizer recognizer, IOptions<WorkerOptions> options, ModelRunSlots slots, EmotionMetrics metrics, TimeProvider time) : Grain, ITextWorkerGrain
{
    private readonly RequestBatcher<TextTurn, TextRecognition> _batcher = new(metrics.InstrumentBatches<TextTurn, TextRecognition>(Modality.Text, recognizer.RecognizeTurns), options.Value.MaxBatchSize, options.Value.TextBatchWindow, time, options.Value.MaxConcurrentRuns, slots, ModelRunPriority.High);

    /// <inheritdoc />
    public Task<ClassLogits> Recognize(string callId, string text) => Recognize(callId, text, []);

    /// <inheritdoc />
    public async Task<ClassLogits> Recognize(string callId, string text, IReadOnlyList<string> context)
    {
        try
        {
            return (await metrics.TrackRequestAsync(Modality.Text, () => _batcher.Enqueue(new TextTurn(text, context ?? [])))).Prediction.ToLogits();
        }
        catch (InvalidInputException e)
        {
            throw e.ToMalformed(callId);
        }
    }

    /// <inheritdoc />
    public Task<TextRecognitionResult> RecognizeAfter(string callId, string text, IReadOnlyList<ImmutableArray<float>> previousEmbeddings) =>
        RecognizeAfter(callId, text, previousEmbeddings, default);

    /// <inheritdoc />
    public async Task<TextRecognitionResult> RecognizeAfter(string callId, string text, IReadOnlyList<ImmutableArray<float>> previousEmbeddings, ImmutableArray<float> speakerPrevious)
    {
        try
        {
            // The recognizer only reads context embeddings and hands back a fresh embedding array, so
            // both cross without a copy; a default (empty) array is refused by the width check.
            IReadOnlyList<float[]> previous = [.. (previousEmbeddings ?? []).Select(e => ImmutableCollectionsMarshal.AsArray(e) ?? [])];
            var turn = TextTurn.AfterEmbeddings(text, previous) with { SameSpeakerPreviousEmbedding = speakerPrevious.IsDefault ? null : ImmutableCollectionsMarshal.AsArray(speakerPrevious) };
            var recognition = await metrics.TrackRequestAsync(Modality.Text, () => _batcher.Enqueue(turn));
            return new TextRecognitionResult(recognition.Prediction.ToLogits(), ImmutableCollectionsMarshal.AsImmutableArray(recognition.Embedding));
        }
        catch (InvalidInputException e)
        {
            throw e.ToMalformed(callId);
        }
    }
}
