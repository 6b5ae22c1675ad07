using System.Diagnostics;
using System.Globalization;
using Emotion.Orleans.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Orleans.Training;

/// <summary>What <see cref="SpeechCnnTrainer.Train"/> needs.</summary>
public sealed class SpeechCnnTrainingOptions
{
    /// <summary>RAVDESS folder (labels.csv + Actor_NN/).</summary>
    public required string RavdessDirectory { get; init; }

    /// <summary>Where the ONNX model is written; null writes nothing.</summary>
    public string? OutputPath { get; init; }

    /// <summary>Actors held out for the speaker-independent dev split.</summary>
    public IReadOnlySet<int> DevActors { get; init; } = new HashSet<int> { 17, 18, 19, 20 };

    /// <summary>Seed of initialisation, shuffling and augmentation.</summary>
    public int Seed { get; init; } = 7;

    /// <summary>Passes over the training clips.</summary>
    public int Epochs { get; init; } = 25;

    /// <summary>Clips per optimisation step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak AdamW learning rate (cosine-decayed to zero).</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>AdamW weight decay.</summary>
    public double WeightDecay { get; init; } = 1e-2;

    /// <summary>
    /// Speed perturbation: each training clip is also featurised played this many times faster
    /// (tempo and pitch together), and every epoch draws one version per clip at random.
    /// </summary>
    public IReadOnlyList<double> SpeedFactors { get; init; } = [0.9, 1.1];

    /// <summary>How MFCC frames are normalised (written into the exported model).</summary>
    public MfccNormalization Normalization { get; init; } = MfccNormalization.Utterance;

    /// <summary>Label smoothing of the cross-entropy loss.</summary>
    public double LabelSmoothing { get; init; } = 0.1;

    /// <summary>Torch CPU threads.</summary>
    public int Threads { get; init; } = 2;

    /// <summary>Progress lines go here; null is silent.</summary>
    public TextWriter? Log { get; init; }
}

/// <summary>What training measured.</summary>
/// <param name="TrainClips">Clips trained on.</param>
/// <param name="DevClips">Held-out clips.</param>
/// <param name="DevAccuracy">Accuracy of the CNN's logits on the held-out actors (TorchSharp, eval mode).</param>
/// <param name="DevAccuracyOnnx">The same through the exported ONNX model and <see cref="SpeechEmbedder"/> (NaN when not exported).</param>
/// <param name="DevMacroF1">Macro-F1 over the seven classes on the held-out actors.</param>
/// <param name="MaxOnnxDifference">Largest |ONNX − TorchSharp| over dev logits and embeddings (NaN when not exported).</param>
/// <param name="Confusion">Dev confusion matrix [true, predicted] in label order.</param>
/// <param name="EpochDevAccuracy">Dev accuracy after each epoch (for information: the model kept is the last).</param>
/// <param name="FeatureTime">Time to read the audio and compute MFCCs.</param>
/// <param name="TrainTime">Time spent training.</param>
public sealed record SpeechCnnTrainingReport(
    int TrainClips,
    int DevClips,
    double DevAccuracy,
    double DevAccuracyOnnx,
    double DevMacroF1,
    double MaxOnnxDifference,
    int[,] Confusion,
    IReadOnlyList<double> EpochDevAccuracy,
    TimeSpan FeatureTime,
    TimeSpan TrainTime);

/// <summary>
/// Trains <see cref="SpeechCnn"/> on RAVDESS MFCC matrices with whole actors held out, and exports
/// it to ONNX. Deterministic for a given seed and thread count. Training clips get speed
/// perturbation, a random 3 s placement (crop or padding position) and one time and one
/// coefficient mask per clip; dev clips are centred, as at inference.
/// </summary>
public static class SpeechCnnTrainer
{
    private const int MaxTimeMask = 40;
    private const int MaxCoefficientMask = 6;

    /// <summary>Trains, evaluates on the held-out actors and (optionally) exports.</summary>
    public static SpeechCnnTrainingReport Train(SpeechCnnTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var log = options.Log ?? TextWriter.Null;
        torch.set_num_threads(options.Threads);
        torch.manual_seed(options.Seed);
        var random = new Random(options.Seed);

        var clock = Stopwatch.StartNew();
        var clips = RavdessClips.Load(options.RavdessDirectory);
        var train = Enumerable.Range(0, clips.Count).Where(i => !options.DevActors.Contains(clips[i].Actor)).ToArray();
        var dev = Enumerable.Range(0, clips.Count).Where(i => options.DevActors.Contains(clips[i].Actor)).ToArray();
        if (train.Length == 0 || dev.Length == 0)
        {
            throw new InvalidOperationException($"Both splits need clips: {train.Length} train, {dev.Length} dev.");
        }

        // versions[i][0] is the clip as recorded; the others are its speed-perturbed copies (training clips only).
        var versions = new float[clips.Count][][][];
        Parallel.For(0, clips.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Threads }, i =>
        {
            var samples = RavdessClips.ReadWav(clips[i].Path);
            var factors = options.DevActors.Contains(clips[i].Actor) ? [] : options.SpeedFactors;
            versions[i] = [MfccFeatures.ComputeFrames(samples, options.Normalization), .. factors.Select(f => MfccFeatures.ComputeFrames(ChangeSpeed(samples, f), options.Normalization))];
        });
        var frames = versions.Select(v => v[0]).ToArray();

        var featureTime = clock.Elapsed;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"speech-cnn: {train.Length} train / {dev.Length} dev clips, MFCC in {featureTime.TotalSeconds:0.0} s"));

        var devMatrices = new float[dev.Length * MfccFeatures.MatrixLength];
        for (var i = 0; i < dev.Length; i++)
        {
            var f = frames[dev[i]];
            MfccFeatures.WriteMatrix(f, MfccFeatures.CentreOffset(f.Length), devMatrices.AsSpan(i * MfccFeatures.MatrixLength, MfccFeatures.MatrixLength));
        }

        var devLabels = dev.Select(i => (int)clips[i].Label).ToArray();

        clock.Restart();
        using var model = new SpeechCnn();
        using var optimizer = optim.AdamW(model.parameters(), lr: options.LearningRate, weight_decay: options.WeightDecay);
        var stepsPerEpoch = (train.Length + options.BatchSize - 1) / options.BatchSize;
        var scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, options.Epochs * stepsPerEpoch);
        var epochAccuracy = new List<double>();
        var batch = new float[options.BatchSize * MfccFeatures.MatrixLength];
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            model.train();
            var order = train.ToArray();
            random.Shuffle(order);
            double lossSum = 0;
            for (var start = 0; start < order.Length; start += options.BatchSize)
            {
                var count = Math.Min(options.BatchSize, order.Length - start);
                var labels = new long[count];
                for (var b = 0; b < count; b++)
                {
                    var index = order[start + b];
                    Augment(versions[index][random.Next(versions[index].Length)], batch.AsSpan(b * MfccFeatures.MatrixLength, MfccFeatures.MatrixLength), random);
                    labels[b] = (long)clips[index].Label;
                }

                using var scope = NewDisposeScope();
                var x = tensor(batch.AsSpan(0, count * MfccFeatures.MatrixLength).ToArray(), [count, 1, MfccFeatures.Coefficients, MfccFeatures.Frames]);
                var y = tensor(labels);
                optimizer.zero_grad();
                var (_, logits) = model.forward(x);
                var loss = nn.functional.cross_entropy(logits, y, label_smoothing: options.LabelSmoothing);
                loss.backward();
                optimizer.step();
                scheduler.step();
                lossSum += loss.item<float>() * count;
            }

            var (predicted, _, _) = Predict(model, devMatrices, dev.Length);
            var accuracy = Accuracy(predicted, devLabels);
            epochAccuracy.Add(accuracy);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch + 1,2}: train loss {lossSum / order.Length:0.000}, dev accuracy {accuracy:0.000} ({clock.Elapsed.TotalSeconds:0} s)"));
        }

        var trainTime = clock.Elapsed;
        var (devPredicted, devLogits, devEmbeddings) = Predict(model, devMatrices, dev.Length);
        var confusion = new int[EmotionLabels.Count, EmotionLabels.Count];
        for (var i = 0; i < dev.Length; i++)
        {
            confusion[devLabels[i], devPredicted[i]]++;
        }

        var onnxAccuracy = double.NaN;
        var maxDifference = double.NaN;
        if (options.OutputPath is { } outputPath)
        {
            var bytes = SpeechCnnOnnxExporter.Export(model, options.Normalization);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputPath))!);
            File.WriteAllBytes(outputPath, bytes);
            using var embedder = SpeechEmbedder.Load(outputPath);
            var onnx = RunOnnx(embedder, devMatrices, dev.Length);
            onnxAccuracy = Accuracy(onnx.Logits.Select(ArgMax).ToArray(), devLabels);
            maxDifference = Math.Max(MaxDifference(onnx.Logits, devLogits), MaxDifference(onnx.Embeddings, devEmbeddings));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {outputPath} ({bytes.Length} bytes); ONNX dev accuracy {onnxAccuracy:0.000}, max |ONNX - torch| {maxDifference:g3}"));
        }

        return new SpeechCnnTrainingReport(
            train.Length,
            dev.Length,
            Accuracy(devPredicted, devLabels),
            onnxAccuracy,
            MacroF1(confusion),
            maxDifference,
            confusion,
            epochAccuracy,
            featureTime,
            trainTime);
    }

    private static void Validate(SpeechCnnTrainingOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(options.RavdessDirectory, nameof(options));
        ArgumentNullException.ThrowIfNull(options.DevActors, nameof(options));
        ArgumentNullException.ThrowIfNull(options.SpeedFactors, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Epochs, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Threads, nameof(options));
        if (!(options.LearningRate > 0) || !double.IsFinite(options.LearningRate) || !(options.WeightDecay >= 0) || !double.IsFinite(options.WeightDecay)
            || !(options.LabelSmoothing is >= 0 and < 1) || options.SpeedFactors.Any(f => !(f > 0) || !double.IsFinite(f)))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Learning rate and speed factors must be positive, weight decay non-negative, label smoothing in [0, 1).");
        }
    }

    /// <summary>Eval-mode TorchSharp forward of MFCC matrices: class, logits and embedding per item.</summary>
    public static (int[] Predicted, float[][] Logits, float[][] Embeddings) Predict(SpeechCnn model, float[] matrices, int count)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(matrices);
        model.eval();
        using var noGrad = no_grad();
        var logits = new float[count][];
        var embeddings = new float[count][];
        const int Chunk = 64;
        for (var start = 0; start < count; start += Chunk)
        {
            var n = Math.Min(Chunk, count - start);
            using var scope = NewDisposeScope();
            var x = tensor(matrices.AsSpan(start * MfccFeatures.MatrixLength, n * MfccFeatures.MatrixLength).ToArray(), [n, 1, MfccFeatures.Coefficients, MfccFeatures.Frames]);
            var (embedding, logit) = model.forward(x);
            var l = logit.data<float>().ToArray();
            var e = embedding.data<float>().ToArray();
            for (var i = 0; i < n; i++)
            {
                logits[start + i] = l.AsSpan(i * EmotionLabels.Count, EmotionLabels.Count).ToArray();
                embeddings[start + i] = e.AsSpan(i * SpeechCnn.EmbeddingSize, SpeechCnn.EmbeddingSize).ToArray();
            }
        }

        return (logits.Select(ArgMax).ToArray(), logits, embeddings);
    }

    private static SpeechCnnOutput RunOnnx(SpeechEmbedder embedder, float[] matrices, int count)
    {
        var logits = new List<float[]>(count);
        var embeddings = new List<float[]>(count);
        const int Chunk = 64;
        for (var start = 0; start < count; start += Chunk)
        {
            var n = Math.Min(Chunk, count - start);
            var output = embedder.RunFeatures(matrices.AsSpan(start * MfccFeatures.MatrixLength, n * MfccFeatures.MatrixLength).ToArray(), n);
            logits.AddRange(output.Logits);
            embeddings.AddRange(output.Embeddings);
        }

        return new SpeechCnnOutput([.. embeddings], [.. logits]);
    }

    /// <summary>
    /// Plays the clip <paramref name="factor"/> times faster (tempo and pitch together), by linear
    /// interpolation: for ±10 % the aliasing is far below what the MFCC resolves, and it is ~50×
    /// cheaper than band-limited resampling.
    /// </summary>
    private static float[] ChangeSpeed(float[] samples16k, double factor)
    {
        var result = new float[(int)((samples16k.Length - 1) / factor) + 1];
        for (var i = 0; i < result.Length; i++)
        {
            var position = i * factor;
            var left = (int)position;
            var right = Math.Min(left + 1, samples16k.Length - 1);
            var fraction = (float)(position - left);
            result[i] = (samples16k[left] * (1 - fraction)) + (samples16k[right] * fraction);
        }

        return result;
    }

    private static void Augment(float[][] frames, Span<float> matrix, Random random)
    {
        // Random placement of the 3 s window: a random crop of long clips, random padding of short ones.
        var slack = frames.Length - MfccFeatures.Frames;
        var offset = slack >= 0 ? random.Next(slack + 1) : -random.Next(-slack + 1);
        MfccFeatures.WriteMatrix(frames, offset, matrix);

        var timeWidth = random.Next(MaxTimeMask + 1);
        var timeStart = random.Next(MfccFeatures.Frames - timeWidth + 1);
        var coefficientWidth = random.Next(MaxCoefficientMask + 1);
        var coefficientStart = random.Next(MfccFeatures.Coefficients - coefficientWidth + 1);
        for (var c = 0; c < MfccFeatures.Coefficients; c++)
        {
            var row = matrix.Slice(c * MfccFeatures.Frames, MfccFeatures.Frames);
            if (c >= coefficientStart && c < coefficientStart + coefficientWidth)
            {
                row.Clear();
            }
            else
            {
                row.Slice(timeStart, timeWidth).Clear();
            }
        }
    }

    private static int ArgMax(float[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    private static double Accuracy(int[] predicted, int[] truth) => predicted.Zip(truth).Count(p => p.First == p.Second) / (double)truth.Length;

    private static double MaxDifference(float[][] a, float[][] b)
    {
        double max = 0;
        for (var i = 0; i < a.Length; i++)
        {
            for (var j = 0; j < a[i].Length; j++)
            {
                max = Math.Max(max, Math.Abs(a[i][j] - b[i][j]));
            }
        }

        return max;
    }

    private static double MacroF1(int[,] confusion)
    {
        var classes = confusion.GetLength(0);
        double sum = 0;
        for (var c = 0; c < classes; c++)
        {
            double tp = confusion[c, c];
            double actual = 0;
            double predicted = 0;
            for (var k = 0; k < classes; k++)
            {
                actual += confusion[c, k];
                predicted += confusion[k, c];
            }

            sum += tp == 0 ? 0 : 2 * tp / (actual + predicted);
        }

        return sum / classes;
    }
}
