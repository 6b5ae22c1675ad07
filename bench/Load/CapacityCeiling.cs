using System.Diagnostics;
using Emotion.Orleans.Grains;
using Emotion.Orleans.Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>
/// What the cores can compute, in calls: every stage of the pipeline's model work (voice-activity
/// segmentation, speech CNN, text recognition, reply embedding, face path, fusion) run on its own
/// with the same model objects the silo runs (no Orleans), as many runs at once as there are cores,
/// at each of a few batch sizes, on the standard profile's media. Each stage's best throughput per
/// core-second of CPU and what one call of the profile needs of it per second of call give the
/// compute one call costs, in cores (the best batch size is measured again for that figure: the
/// highest of five noisy points overstates its own size's throughput); the cores deliver <c>cores ÷ Σ (need ÷ throughput per core)</c>
/// calls. CPU time rather than wall time makes the figure hold up when other work shares the
/// machine; the wall-clock figure is kept beside it. A pipeline that holds that many calls loses
/// nothing to scheduling, batching or messaging.
/// </summary>
public sealed class CapacityCeiling
{
    /// <summary>The batch sizes tried for each batched model.</summary>
    public static readonly IReadOnlyList<int> BatchSizes = [1, 2, 4, 8, 16];

    /// <summary>
    /// Calls whose voice-activity windows are scored together, tried up to the silo's default most
    /// (<c>Workers:MaxVoiceActivityBatchSize</c>, 64): with its gather window the silo's runs took 29
    /// calls on average at 112 calls (2026-12-02).
    /// </summary>
    public static readonly IReadOnlyList<int> VoiceActivityCalls = [1, 2, 4, 8, 16, 32, 64];

    private readonly ITextRecognizer _text;
    private readonly ISpeechRecognizer _speech;
    private readonly SpeechSegmenterFactory _segmenters;
    private readonly IFaceRecognizer _face;
    private readonly FusionModel _fusion;
    private readonly IReplySuggester? _replies;
    private readonly SyntheticMedia _media;
    private readonly LoadOptions _options;

    // As many model runs at once as cores: the stateless workers run one activation per core.
    private readonly int _parallel = Environment.ProcessorCount;

    private CapacityCeiling(IServiceProvider services, SyntheticMedia media, LoadOptions options)
    {
        _text = services.GetRequiredService<ITextRecognizer>();
        _speech = services.GetRequiredService<ISpeechRecognizer>();
        _segmenters = services.GetRequiredService<SpeechSegmenterFactory>();
        _face = services.GetRequiredService<IFaceRecognizer>();
        _fusion = services.GetRequiredService<FusionModel>();
        _replies = services.GetService<IOptions<FusionOptions>>()?.Value.SuggestReplies != false ? services.GetService<IReplySuggester>() : null;
        _media = media;
        _options = options;
    }

    /// <summary>The ceiling over the models registered in <paramref name="services"/>; null when they are not all there.</summary>
    public static CapacityCeiling? TryCreate(IServiceProvider services, SyntheticMedia media, LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(media);
        ArgumentNullException.ThrowIfNull(options);
        Type[] needed = [typeof(ITextRecognizer), typeof(ISpeechRecognizer), typeof(SpeechSegmenterFactory), typeof(IFaceRecognizer), typeof(FusionModel)];
        return needed.All(t => services.GetService(t) is not null) ? new CapacityCeiling(services, media, options) : null;
    }

    /// <summary>Measures every stage and the calls the cores can compute.</summary>
    /// <param name="resultsPerCallSecond">Fusions one call needs per second of call (measured in the pipeline), or null to count one per input that can produce a result.</param>
    /// <param name="log">Progress.</param>
    /// <param name="cancellationToken">Stops between measurements.</param>
    public async Task<TrueCeilingFigures> RunAsync(double? resultsPerCallSecond, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        var point = _options.CeilingPoint;
        List<StageCeiling> stages = [];

        // Voice activity: each call segments its own audio, chunk by chunk; the silo scores the
        // windows of the calls whose chunks wait together in one run, so batches are sets of calls in
        // lockstep. The segments found are the speech CNN's inputs and give their rate per second of audio.
        List<Throughput> vadPoints = [];
        List<float[]> utterances = [];
        var utterancesPerAudioSecond = 0.0;
        foreach (var size in VoiceActivityCalls)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (measured, found, rate) = MeasureSegmentation(size, point);
            vadPoints.Add(measured);
            if (size == 1)
            {
                (utterances, utterancesPerAudioSecond) = (found, rate);
            }

            await log.WriteLineAsync(measured.Describe("voice activity", "s of audio"));
        }

        var vadBest = MeasureSegmentation(vadPoints.MaxBy(p => p.PerCoreSecond)!.Batch, point).Audio;
        await log.WriteLineAsync(vadBest.Describe("voice activity, best again", "s of audio"));
        stages.Add(vadBest.ToStage("voice activity (s of audio)", 1, vadPoints));

        if (utterances.Count > 0)
        {
            stages.Add(await SearchAsync("speech CNN (utterances)", utterancesPerAudioSecond, utterances, batch => SpeechWork.Recognize(_speech, batch), point, log, cancellationToken));
        }

        var textPerCallSecond = 1 / _options.TextInterval.TotalSeconds;
        var texts = ContextTurns(_text, [.. _media.Lines.Select(l => l.Text)], [.. _media.Lines.Select(l => l.Speaker)]);
        stages.Add(await SearchAsync("text (segments)", textPerCallSecond, texts, batch => _text.RecognizeTurns(batch), point, log, cancellationToken));

        if (_replies is { } replies)
        {
            // The fusion asks for a reply on every customer line, over the embedding the text worker gave.
            var customer = _media.Lines.Where(l => l.Speaker == Speaker.Customer).Select(l => l.Text).ToList();
            if (customer.Count > 0)
            {
                var share = customer.Count / (double)_media.Lines.Count;
                // Live, the reply reuses the text worker's embedding of the line: only the bank search runs.
                var embedded = _text.RecognizeTurns([.. customer.Select(c => new TextTurn(c, []))]).Select((r, i) => (Text: customer[i], r.Embedding)).ToList();
                var measured = Measure(embedded, 1, batch => replies.Suggest(EmotionLabel.Neutral, batch[0].Text, batch[0].Embedding), point);
                stages.Add(measured.ToStage("reply suggestion (customer lines)", share * textPerCallSecond, null));
                await log.WriteLineAsync(measured.Describe("reply suggestion", "lines"));
            }
        }

        if (_options.FramesPerSecond > 0)
        {
            var frames = _media.Frames.Select(f => (ReadOnlyMemory<byte>)f).ToList();
            stages.Add(await SearchAsync("face (frames)", _options.FramesPerSecond, frames, batch => _face.Recognize(batch), point, log, cancellationToken));
        }

        // Fusions: the pipeline's own count per call-second when known, else one per input that can produce one.
        var fusions = resultsPerCallSecond ?? (textPerCallSecond + utterancesPerAudioSecond + Math.Min(_options.FramesPerSecond, 1));
        var z = Enumerable.Range(0, 3).Select(m => Enumerable.Range(0, EmotionLabels.Count).Select(i => (float)Math.Sin(i + m)).ToArray()).ToList();
        var fusion = Measure(Enumerable.Range(0, 64).ToList(), 1, _ => _fusion.Fuse(z), point);
        stages.Add(fusion.ToStage("fusion (results)", fusions, null));
        await log.WriteLineAsync(fusion.Describe("fusion", "results"));

        return TrueCeilingFigures.Of(stages, Environment.ProcessorCount, _parallel, point.TotalSeconds);
    }

    /// <summary>
    /// Each line as a live call sends it: with the embeddings of the call's previous lines and of its
    /// speaker's previous line, which the session keeps from earlier answers, so a line costs one
    /// encoder pass as it does live.
    /// </summary>
    internal static List<TextTurn> ContextTurns(ITextRecognizer text, IReadOnlyList<string> lines, IReadOnlyList<Speaker> speakers)
    {
        var embeddings = text.RecognizeTurns([.. lines.Select(l => new TextTurn(l, []))]).Select(r => r.Embedding).ToList();
        var latest = new Dictionary<Speaker, float[]>();
        var turns = new List<TextTurn>(lines.Count);
        for (var k = 0; k < lines.Count; k++)
        {
            turns.Add(TextTurn.AfterEmbeddings(lines[k], embeddings[Math.Max(0, k - DialogueContext.DefaultTurns)..k]) with { SameSpeakerPreviousEmbedding = latest.GetValueOrDefault(speakers[k]) });
            latest[speakers[k]] = embeddings[k];
        }

        return turns;
    }

    private async Task<StageCeiling> SearchAsync<T>(string name, double perCallSecond, IReadOnlyList<T> items, Action<IReadOnlyList<T>> run, TimeSpan point, TextWriter log, CancellationToken cancellationToken)
    {
        List<Throughput> points = [];
        foreach (var size in BatchSizes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var measured = Measure(items, size, run, point);
            points.Add(measured);
            await log.WriteLineAsync(measured.Describe(name, "items"));
        }

        // Per core-second: on a shared machine the process's share of the cores moves from one point to the next.
        var best = points.MaxBy(p => p.PerCoreSecond)!;
        var again = Measure(items, best.Batch, run, point);
        await log.WriteLineAsync(again.Describe(name + ", best again", "items"));
        return again.ToStage(name, perCallSecond, points);
    }

    /// <summary>
    /// Runs <paramref name="run"/> over batches of <paramref name="size"/> items (cycled), as many
    /// at once as cores, for about <paramref name="point"/> after one unmeasured round.
    /// </summary>
    private Throughput Measure<T>(IReadOnlyList<T> items, int size, Action<IReadOnlyList<T>> run, TimeSpan point)
    {
        T[] Batch(long k) => [.. Enumerable.Range(0, size).Select(i => items[(int)(((k * size) + i) % items.Count)])];

        // One round first: a new batch shape costs ONNX Runtime its first-run allocations.
        Parallel.For(0, _parallel, new ParallelOptions { MaxDegreeOfParallelism = _parallel }, w => run(Batch(w)));
        long next = _parallel;
        long done = 0;
        var cpu = CpuSampler.Start();
        var clock = Stopwatch.StartNew();
        Parallel.For(0, _parallel, new ParallelOptions { MaxDegreeOfParallelism = _parallel }, _ =>
        {
            while (clock.Elapsed < point)
            {
                run(Batch(Interlocked.Increment(ref next)));
                Interlocked.Add(ref done, size);
            }
        });
        var wall = clock.Elapsed.TotalSeconds;
        var (cores, _) = cpu.Stop();
        return new Throughput(size, done, wall, cores);
    }

    private (Throughput Audio, List<float[]> Utterances, double UtterancesPerAudioSecond) MeasureSegmentation(int calls, TimeSpan point)
    {
        // Each of the parallel runs segments the whole media audio as `calls` fresh calls in lockstep
        // (each from its own starting point), again and again for the measurement's length; the
        // first pass gives the utterances.
        var chunk = (int)(_media.SampleRate * _options.AudioChunk.TotalSeconds);
        var chunks = _media.Audio.Count / chunk;
        var streams = _parallel * calls;
        var found = new List<float[]>[_parallel];
        var passes = new int[_parallel];

        // The streams share the media's chunks (they only read them), each starting at its own chunk.
        var shared = Enumerable.Range(0, chunks).Select(k => _media.AudioSamples((long)k * chunk, chunk)).ToArray();
        var inputs = Enumerable.Range(0, _parallel)
            .Select(p => (IReadOnlyList<IReadOnlyList<float[]>>)[.. Enumerable.Range(0, calls).Select(c => (IReadOnlyList<float[]>)[.. Enumerable.Range(0, chunks).Select(k => shared[(int)((((long)((p * calls) + c) * chunks / streams) + k) % chunks)])])])
            .ToList();
        var cpu = CpuSampler.Start();
        var clock = Stopwatch.StartNew();
        Parallel.For(0, _parallel, new ParallelOptions { MaxDegreeOfParallelism = _parallel }, p =>
        {
            do
            {
                var utterances = SpeechWork.Segment(_segmenters, inputs[p]);
                found[p] ??= [.. utterances.SelectMany(u => u)];
                passes[p]++;
            }
            while (clock.Elapsed < point);
        });
        var wall = clock.Elapsed.TotalSeconds;
        var (cores, _) = cpu.Stop();
        var passSeconds = calls * chunks * (double)chunk / _media.SampleRate;
        List<float[]> utterancesFound = [.. found.SelectMany(u => u)];
        return (new Throughput(calls, passes.Sum() * passSeconds, wall, cores), utterancesFound, utterancesFound.Count / (_parallel * passSeconds));
    }
}

/// <summary>One measurement: items processed in a wall time, with the CPU it took.</summary>
/// <param name="Batch">Batch size.</param>
/// <param name="Items">Items processed.</param>
/// <param name="WallSeconds">Wall time.</param>
/// <param name="ProcessCpuCores">Process CPU use, in cores.</param>
public sealed record Throughput(int Batch, double Items, double WallSeconds, double ProcessCpuCores)
{
    /// <summary>Items per wall second.</summary>
    public double PerSecond => WallSeconds > 0 ? Items / WallSeconds : 0;

    /// <summary>Items per second of one core's CPU time.</summary>
    public double PerCoreSecond => ProcessCpuCores > 0 ? PerSecond / ProcessCpuCores : 0;

    /// <summary>The stage this measurement is the best of.</summary>
    public StageCeiling ToStage(string name, double perCallSecond, IReadOnlyList<Throughput>? tried) =>
        new(name, perCallSecond, Batch, PerSecond, PerCoreSecond, ProcessCpuCores, tried);

    /// <summary>One log line.</summary>
    public string Describe(string name, string unit) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"  ceiling {name,-28} batch {Batch,2}: {PerSecond,8:0.0} {unit}/s on {ProcessCpuCores:0.00} cores = {PerCoreSecond,8:0.0} per core-second");
}

/// <summary>One stage of the true ceiling.</summary>
/// <param name="Stage">What was run (and its unit).</param>
/// <param name="PerCallSecond">Units one call of the profile needs per second of call.</param>
/// <param name="BestBatch">The batch size with the highest throughput per core-second.</param>
/// <param name="PerSecond">Units per wall second at that batch size, all cores.</param>
/// <param name="PerCoreSecond">Units per core-second of CPU at that batch size.</param>
/// <param name="ProcessCpuCores">Cores the process used while measuring it.</param>
/// <param name="Tried">Every batch size tried; null for a stage that is not batched.</param>
public sealed record StageCeiling(string Stage, double PerCallSecond, int BestBatch, double PerSecond, double PerCoreSecond, double ProcessCpuCores, IReadOnlyList<Throughput>? Tried)
{
    /// <summary>Wall seconds of the whole machine (as the process got it) one call-second needs of this stage.</summary>
    public double MachineSecondsPerCallSecond => PerSecond > 0 ? PerCallSecond / PerSecond : double.PositiveInfinity;

    /// <summary>CPU seconds (core-seconds) one call-second needs of this stage.</summary>
    public double CoreSecondsPerCallSecond => PerCoreSecond > 0 ? PerCallSecond / PerCoreSecond : double.PositiveInfinity;
}

/// <summary>The true ceiling: what the cores can compute, in calls of the standard profile.</summary>
/// <param name="Stages">Every stage.</param>
/// <param name="Cores">The machine's cores.</param>
/// <param name="Parallel">Model runs at once (one per core).</param>
/// <param name="PointSeconds">Length of each measurement.</param>
/// <param name="CoreSecondsPerCallSecond">CPU one call needs per second of call, in cores.</param>
/// <param name="CallsPerCore">Calls one core computes: 1 ÷ <paramref name="CoreSecondsPerCallSecond"/>.</param>
/// <param name="Calls">Calls the machine's cores compute: <paramref name="Cores"/> × <paramref name="CallsPerCore"/>.</param>
/// <param name="WallCalls">
/// The same from wall-clock throughput (1 ÷ the wall time one call-second needs): equal to
/// <paramref name="Calls"/> when the process had every core, lower when other work took some.
/// </param>
public sealed record TrueCeilingFigures(IReadOnlyList<StageCeiling> Stages, int Cores, int Parallel, double PointSeconds, double CoreSecondsPerCallSecond, double CallsPerCore, double Calls, double WallCalls)
{
    /// <summary>The figures of <paramref name="stages"/>.</summary>
    public static TrueCeilingFigures Of(IReadOnlyList<StageCeiling> stages, int cores, int parallel, double pointSeconds)
    {
        ArgumentNullException.ThrowIfNull(stages);
        var machine = stages.Sum(s => s.MachineSecondsPerCallSecond);
        var perCall = stages.Sum(s => s.CoreSecondsPerCallSecond);
        var perCore = perCall > 0 ? 1 / perCall : 0;
        return new(stages, cores, parallel, pointSeconds, perCall, perCore, cores * perCore, machine > 0 ? 1 / machine : 0);
    }
}
