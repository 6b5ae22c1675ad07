using System.Diagnostics;
using Emotion.Orleans.Grains;
using Emotion.Orleans.Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>
/// The same-batch replay: the same models the silo runs, called directly (ONNX Runtime through the
/// recognizers, no Orleans) on the same amount of media and in the same batch sizes as the workers'
/// model runs (recorded from the embedded silo; the workers' largest batch when unknown), one loop
/// per modality running side by side as the three worker grains do, each over as many batches at
/// once as the silo runs activations of that (stateless) worker: one per core. It copies the
/// pipeline's batching, so it shows what Orleans' messaging and scheduling cost at that batching,
/// not how many calls the cores could hold (that is <see cref="CapacityCeiling"/>).
/// </summary>
public sealed class SameBatchReplay
{
    private readonly ITextRecognizer _text;
    private readonly ISpeechRecognizer _speech;
    private readonly SpeechSegmenterFactory _segmenters;
    private readonly IFaceRecognizer _face;
    private readonly FusionModel _fusion;
    private readonly IReplySuggester? _replies;
    private readonly int _maxBatch;

    // The workers are stateless workers: Orleans runs up to one activation per core of each.
    private readonly ParallelOptions _parallel = new() { MaxDegreeOfParallelism = Environment.ProcessorCount };
    private readonly SyntheticMedia _media;
    private readonly TimeSpan _chunk;

    private SameBatchReplay(IServiceProvider services, SyntheticMedia media, TimeSpan chunk)
    {
        _text = services.GetRequiredService<ITextRecognizer>();
        _speech = services.GetRequiredService<ISpeechRecognizer>();
        _segmenters = services.GetRequiredService<SpeechSegmenterFactory>();
        _face = services.GetRequiredService<IFaceRecognizer>();
        _fusion = services.GetRequiredService<FusionModel>();
        _replies = services.GetService<IReplySuggester>();
        _maxBatch = services.GetService<IOptions<WorkerOptions>>()?.Value.MaxBatchSize ?? new WorkerOptions().MaxBatchSize;
        _media = media;
        _chunk = chunk;
    }

    /// <summary>The replay over the models registered in <paramref name="services"/>; null when they are not all there.</summary>
    public static SameBatchReplay? TryCreate(IServiceProvider services, SyntheticMedia media, TimeSpan chunk)
    {
        ArgumentNullException.ThrowIfNull(services);
        Type[] needed = [typeof(ITextRecognizer), typeof(ISpeechRecognizer), typeof(SpeechSegmenterFactory), typeof(IFaceRecognizer), typeof(FusionModel)];
        return needed.All(t => services.GetService(t) is not null) ? new SameBatchReplay(services, media, chunk) : null;
    }

    /// <summary>Runs the models over <paramref name="amount"/> of media split into <paramref name="calls"/> calls.</summary>
    /// <param name="amount">The media.</param>
    /// <param name="calls">Calls it came from.</param>
    /// <param name="results">Fusions to run.</param>
    /// <param name="batchSizes">The workers' batch sizes per modality, in order; null or missing for the largest batch.</param>
    /// <param name="callSeconds">Call time the media amounts to (the calls' length times the share of it that was sent).</param>
    public async Task<SameBatchFigures> RunAsync(MediaAmount amount, int calls, long results, IReadOnlyDictionary<string, IReadOnlyList<int>>? batchSizes, double callSeconds)
    {
        ArgumentNullException.ThrowIfNull(amount);
        ArgumentOutOfRangeException.ThrowIfLessThan(calls, 1);

        // Inputs are prepared before the clock starts, as the pipeline's arrive ready-made.
        var turns = CapacityCeiling.ContextTurns(_text, [.. _media.Lines.Select(l => l.Text)], [.. _media.Lines.Select(l => l.Speaker)]);
        var lines = Enumerable.Range(0, (int)amount.Segments).Select(i => (_media.Lines[i % _media.Lines.Count].Speaker, Turn: turns[i % turns.Count])).ToList();
        var frames = Enumerable.Range(0, (int)amount.Frames).Select(i => (ReadOnlyMemory<byte>)_media.Frames[i % _media.Frames.Count]).ToList();
        var chunkSamples = (int)(_media.SampleRate * _chunk.TotalSeconds);
        var chunksPerCall = (int)Math.Round(amount.AudioSeconds / calls / _chunk.TotalSeconds);
        var audio = Enumerable.Range(0, calls)
            .Select(c => Enumerable.Range(0, chunksPerCall).Select(k => _media.AudioSamples((c * 7_919L * chunkSamples) + ((long)k * chunkSamples), chunkSamples)).ToList())
            .ToList();
        var cpu = CpuSampler.Start();
        var clock = Stopwatch.StartNew();
        // With the workers' sizes recorded, a modality that ran no batch in the step gets single runs.
        var fallback = batchSizes is { Count: > 0 } ? 1 : _maxBatch;
        BatchPlan Plan(string modality) => new(batchSizes?.GetValueOrDefault(modality), fallback);
        var textPlan = Plan("text");
        var speechPlan = Plan("speech");
        var facePlan = Plan("face");
        var vadPlan = Plan("voice_activity");

        // The three stages keep up to a run per core each going on pool threads, all blocking: with
        // the pool's usual floor it added threads slowly and the idle silo's own timers waited
        // (Orleans logged a 16 s thread pool stall). A floor above those runs, for the replay only.
        ThreadPool.GetMinThreads(out var minWorkers, out var minIo);
        ThreadPool.SetMinThreads(Math.Max(minWorkers, (3 * Environment.ProcessorCount) + 2), minIo);
        var text = Task.Run(() => RunText(lines, textPlan));
        var speech = Task.Run(() => RunSpeech(audio, speechPlan, vadPlan));
        var face = Task.Run(() => RunFace(frames, facePlan));
        try
        {
            await Task.WhenAll(text, speech, face);
        }
        finally
        {
            ThreadPool.SetMinThreads(minWorkers, minIo);
        }

        var fusion = Stopwatch.StartNew();
        var z = Enumerable.Range(0, 3).Select(_ => new float[EmotionLabels.Count]).ToArray();
        for (var i = 0; i < results; i++)
        {
            _fusion.Fuse(z);
        }

        fusion.Stop();
        var wall = clock.Elapsed;
        var (processCores, machine) = cpu.Stop();
        return new SameBatchFigures(
            batchSizes is { Count: > 0 } ? "as the workers ran them" : $"{_maxBatch} (the workers' largest)",
            textPlan.Mean,
            speechPlan.Mean,
            facePlan.Mean,
            wall.TotalSeconds,
            text.Result.TotalSeconds,
            speech.Result.Seconds.TotalSeconds,
            speech.Result.Utterances,
            face.Result.TotalSeconds,
            fusion.Elapsed.TotalSeconds,
            callSeconds / wall.TotalSeconds,
            processCores,
            machine);
    }

    private TimeSpan RunText(List<(Speaker Speaker, TextTurn Turn)> lines, BatchPlan plan)
    {
        var clock = Stopwatch.StartNew();
        Parallel.ForEach(plan.Split(lines).ToList(), _parallel, batch =>
        {
            var predictions = _text.RecognizeTurns([.. batch.Select(l => l.Turn)]);
            if (_replies is { } replies)
            {
                // The silo suggests a reply for every customer line, over the line's embedding.
                for (var i = 0; i < batch.Length; i++)
                {
                    if (batch[i].Speaker == Speaker.Customer)
                    {
                        replies.Suggest(predictions[i].Prediction.Emotion, batch[i].Turn.Text, predictions[i].Embedding);
                    }
                }
            }
        });

        return clock.Elapsed;
    }

    private (TimeSpan Seconds, int Utterances) RunSpeech(List<List<float[]>> calls, BatchPlan plan, BatchPlan vadPlan)
    {
        var clock = Stopwatch.StartNew();

        // Each call segments its own audio (the call sessions run side by side), its windows scored
        // with other calls' as the silo's VAD batches them (groups of calls in lockstep, of the sizes
        // recorded), then the utterances go to the recognizer in the workers' batch sizes.
        var groups = vadPlan.Split(calls).ToList();
        var perGroup = new List<float[]>[groups.Count][];
        Parallel.For(0, groups.Count, _parallel, g =>
        {
            perGroup[g] = SpeechWork.Segment(_segmenters, [.. groups[g].Select(c => (IReadOnlyList<float[]>)c)]);
        });
        var all = perGroup.SelectMany(g => g).SelectMany(u => u).ToList();
        Parallel.ForEach(plan.Split(all).ToList(), _parallel, batch => SpeechWork.Recognize(_speech, batch));
        return (clock.Elapsed, all.Count);
    }

    private TimeSpan RunFace(List<ReadOnlyMemory<byte>> frames, BatchPlan plan)
    {
        var clock = Stopwatch.StartNew();
        Parallel.ForEach(plan.Split(frames).ToList(), _parallel, batch => _face.Recognize(batch));

        return clock.Elapsed;
    }
}

/// <summary>What the same-batch replay measured.</summary>
/// <param name="Batches">Where the batch sizes came from.</param>
/// <param name="TextBatchMean">Mean text batch.</param>
/// <param name="SpeechBatchMean">Mean speech batch.</param>
/// <param name="FaceBatchMean">Mean face batch.</param>
/// <param name="WallSeconds">Wall time of the run.</param>
/// <param name="TextSeconds">Time of the text loop (recognition and reply embeddings).</param>
/// <param name="SpeechSeconds">Time of the speech loop (voice activity, recognition).</param>
/// <param name="Utterances">Speech segments recognised.</param>
/// <param name="FaceSeconds">Time of the face loop (decode, detect, classify).</param>
/// <param name="FusionSeconds">Time of the fusions.</param>
/// <param name="CallsEquivalent">Call time processed per wall second at the pipeline's own batch sizes (not what the cores could hold: see <see cref="TrueCeilingFigures"/>).</param>
/// <param name="ProcessCpuCores">Process CPU use, in cores.</param>
/// <param name="MachineCpu">Machine CPU use, 0–1.</param>
public sealed record SameBatchFigures(
    string Batches,
    double TextBatchMean,
    double SpeechBatchMean,
    double FaceBatchMean,
    double WallSeconds,
    double TextSeconds,
    double SpeechSeconds,
    int Utterances,
    double FaceSeconds,
    double FusionSeconds,
    double CallsEquivalent,
    double ProcessCpuCores,
    double? MachineCpu);

/// <summary>Batch sizes to use in order: the recorded ones, cycled, or a fixed size.</summary>
internal sealed class BatchPlan(IReadOnlyList<int>? sizes, int fallback)
{
    private readonly IReadOnlyList<int> _sizes = sizes is { Count: > 0 } ? sizes : [fallback];
    private int _next;
    private long _runs;
    private long _items;

    /// <summary>Mean batch actually used.</summary>
    public double Mean => _runs == 0 ? 0 : _items / (double)_runs;

    /// <summary>The next batch size.</summary>
    public int Next()
    {
        var size = Math.Max(1, _sizes[_next]);
        _next = (_next + 1) % _sizes.Count;
        _runs++;
        _items += size;
        return size;
    }

    /// <summary>Cuts <paramref name="items"/> into batches of the planned sizes.</summary>
    public IEnumerable<T[]> Split<T>(IReadOnlyList<T> items)
    {
        for (var i = 0; i < items.Count;)
        {
            var size = Math.Min(Next(), items.Count - i);
            yield return [.. items.Skip(i).Take(size)];
            i += size;
        }
    }
}
