using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using NWaves.Audio;

namespace Emotion.Orleans.Inference.Benchmarks;

/// <summary>
/// Speech: Silero VAD and the MFCC matrix per second of audio, then <see cref="SpeechEmbedder.Embed"/>
/// (MFCC + speech CNN) and, with a bundle, <see cref="SpeechRecognizer.Recognize(IReadOnlyList{float[]})"/> per 3 s
/// utterance, beside a raw run of the same CNN on an input of the same shape. One timed call
/// handles B utterances, all 3 s long, so the first B stand for any B.
/// </summary>
internal sealed class SpeechBench : IBenchSection
{
    private const int UtteranceCount = 32;
    private const double UtteranceSeconds = 3.0;

    public string Modality => "speech";

    public IReadOnlyList<BenchRow> Run(BenchContext context)
    {
        var utterances = RavdessUtterances();
        if (utterances.Count < UtteranceCount)
        {
            context.Note(Modality, "no RAVDESS clips of 3 s or more found (set EMOTION_DATASETS); speech section not measured");
            return [];
        }

        context.Note(Modality, $"workload: {UtteranceCount} RAVDESS utterances, the centre {UtteranceSeconds:0} s of clips at least that long, 16 kHz");
        var plan = context.Options.Plan;
        var rows = new List<BenchRow>();

        using (var vad = SileroVad.Load(factory: context.Sessions))
        using (var rawVad = new RawVad(context.Sessions.Create(ModelFiles.SileroVad)))
        {
            var clip = utterances[0];
            var windows = clip.Length / SileroVad.WindowSamples;
            var vadSamples = Sampler.Interleaved(plan, () => rawVad.Run(windows), () => vad.Probabilities(clip));
            rows.Add(PerSecond("VAD (Silero v5, 32 ms windows)", vadSamples[1], vadSamples[0], $"ms per s of audio, {windows} windows a call"));

            // The silo scores the windows of the calls waiting at once in one run per window position.
            foreach (var calls in context.Options.BatchSizes.Where(b => b > 1))
            {
                var streams = utterances.Take(calls).Select(u => (IReadOnlyList<float[]>)[.. u.Chunk(SileroVad.WindowSamples).Where(w => w.Length == SileroVad.WindowSamples)]).ToList();
                var states = streams.Select(_ => SileroVad.CreateState()).ToList();
                var together = Sampler.Interleaved(plan, () => vad.Probabilities(states, streams))[0];
                rows.Add(BenchRow.Of(Modality, "VAD, calls scored together", calls, calls * UtteranceSeconds, together, null, $"ms per s of audio, {calls} calls' windows per run"));
            }
        }

        var mfcc = Sampler.Interleaved(plan, () => MfccFeatures.Compute(utterances[0]))[0];
        rows.Add(PerSecond($"MFCC ({MfccFeatures.Coefficients}×{MfccFeatures.Frames} matrix)", mfcc, null, "ms per s of audio"));

        // Without a loadable bundle, the CNN file shipped in the default bundle folder is still the product's CNN.
        var shippedCnn = Path.Combine(ModelFiles.DefaultBundle, "speech-cnn.onnx");
        var cnnPath = context.Options.SpeechCnnPath ?? context.Bundle?.SpeechCnnPath ?? (File.Exists(shippedCnn) ? shippedCnn : null);
        if (cnnPath is null)
        {
            context.Note(Modality, "no speech CNN (none in the bundle folder, no --speech-cnn): only VAD and MFCC measured");
            return rows;
        }

        context.Note(Modality, $"speech CNN: {cnnPath}");
        using var embedder = SpeechEmbedder.Load(cnnPath, context.Sessions);
        using var raw = new RawModel(context.Sessions.Create(cnnPath));
        var recognizer = context.Bundle is { } bundle && context.Options.SpeechCnnPath is null
            ? new SpeechRecognizer(embedder, bundle.SpeechHead, normalizer: bundle.SpeakerNormalizer)
            : null;
        if (recognizer is null)
        {
            context.Note(Modality, "no bundle speech head over this CNN: end-to-end is MFCC + CNN embedding");
        }

        foreach (var batchSize in context.Options.BatchSizes)
        {
            var batch = utterances.Take(batchSize).ToArray();
            var note = $"1 call of {batchSize} utterance{(batchSize == 1 ? string.Empty : "s")}";
            var actions = new List<Action> { () => raw.Run(batchSize, int.MaxValue), () => embedder.Embed(batch) };
            if (recognizer is not null)
            {
                actions.Add(() => recognizer.Recognize(batch));
            }

            var samples = Sampler.Interleaved(plan, [.. actions]);
            rows.Add(BenchRow.Of(Modality, "embed (MFCC+CNN)", batchSize, batchSize, samples[1], samples[0], note) with { EndToEnd = recognizer is null });
            if (recognizer is not null)
            {
                rows.Add(BenchRow.Of(Modality, "recognize (MFCC+CNN+head)", batchSize, batchSize, samples[2], samples[0], note) with { EndToEnd = true });
            }
        }

        return rows;
    }

    private BenchRow PerSecond(string stage, Sample sample, Sample? raw, string note) =>
        BenchRow.Of(Modality, stage, 1, UtteranceSeconds, sample, raw, note);

    /// <summary>The centre 3 s of the first RAVDESS clips that last at least that long, one per actor first.</summary>
    private static IReadOnlyList<float[]> RavdessUtterances()
    {
        var folder = Datasets.Folder("ravdess", "labels.csv");
        if (folder is null)
        {
            return [];
        }

        var length = (int)(UtteranceSeconds * PcmAudio.SampleRate);
        return
        [
            .. Datasets.ReadCsv(Path.Combine(folder, "labels.csv"))
                .Where(row => double.Parse(row["duration_s"], CultureInfo.InvariantCulture) >= UtteranceSeconds + 0.05)
                .Take(UtteranceCount)
                .Select(row => Centre(Load(Path.Combine(folder, row["path"])), length))
                .Where(samples => samples is not null)
                .Select(samples => samples!),
        ];
    }

    private static float[] Load(string path)
    {
        using var stream = File.OpenRead(path);
        var wave = new WaveFile(stream);
        return PcmAudio.FromFloat(wave.Signals[0].Samples, wave.WaveFmt.SamplingRate);
    }

    private static float[]? Centre(float[] samples, int length) =>
        samples.Length < length ? null : samples.AsSpan((samples.Length - length) / 2, length).ToArray();

    /// <summary>Silero VAD run bare: one <c>Run</c> per window on inputs prepared once.</summary>
    private sealed class RawVad : IDisposable
    {
        private static readonly string[] InputNames = ["input", "state", "sr"];
        private static readonly string[] OutputNames = ["output", "stateN"];

        private readonly InferenceSession _session;
        private readonly OrtValue[] _inputs;

        public RawVad(InferenceSession session)
        {
            _session = session;
            var window = new float[SileroVad.ContextSamples + SileroVad.WindowSamples];
            for (var i = 0; i < window.Length; i++)
            {
                window[i] = 0.1f * MathF.Sin(i * 0.2f);
            }

            _inputs =
            [
                OrtValue.CreateTensorValueFromMemory(window, [1, window.Length]),
                OrtValue.CreateTensorValueFromMemory(new float[SileroVad.StateLength], [2, 1, SileroVad.StateLength / 2]),
                OrtValue.CreateTensorValueFromMemory(new long[] { PcmAudio.SampleRate }, []),
            ];
        }

        public void Run(int windows)
        {
            for (var i = 0; i < windows; i++)
            {
                using var options = new RunOptions();
                using var outputs = _session.Run(options, InputNames, _inputs, OutputNames);
            }
        }

        public void Dispose()
        {
            foreach (var input in _inputs)
            {
                input.Dispose();
            }

            _session.Dispose();
        }
    }
}
