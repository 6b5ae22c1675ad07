using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Emotion.Orleans.Inference;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Orleans.Training;

/// <summary>What <see cref="TextEncoderFineTuner.Train"/> needs.</summary>
public sealed record TextEncoderFineTuningOptions
{
    /// <summary>Top layers of MiniLM fine-tuned (the others stay frozen, so their output is computed once).</summary>
    public int Layers { get; init; } = 3;

    /// <summary>Passes over the training items.</summary>
    public int Epochs { get; init; } = 3;

    /// <summary>Items per optimisation step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak AdamW learning rate of the transformer layers (linear warm-up over the first 10 %, then linear decay).</summary>
    public double LearningRate { get; init; } = 5e-5;

    /// <summary>Peak learning rate of the classifier on top.</summary>
    public double HeadLearningRate { get; init; } = 2e-3;

    /// <summary>AdamW weight decay.</summary>
    public double WeightDecay { get; init; } = 1e-2;

    /// <summary>Class weights are (count of the largest class / count of the class) to this power.</summary>
    public double ClassWeightPower { get; init; } = 1;

    /// <summary>Scale of the L2-normalised embedding before the classifier (a cosine classifier's temperature).</summary>
    public float Scale { get; init; } = 16f;

    /// <summary>Seed of initialisation and shuffling.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Torch CPU threads.</summary>
    public int Threads { get; init; } = 2;

    /// <summary>Progress lines go here; null is silent.</summary>
    public TextWriter? Log { get; init; }
}

/// <summary>What fine-tuning measured and made.</summary>
/// <param name="Patch">The patch file's bytes (<see cref="MiniLmGraph.CreatePatch"/>): the fine-tuned layers of the epoch kept.</param>
/// <param name="BestEpoch">The epoch kept (1-based): best dev macro-F1 of the fine-tuning classifier.</param>
/// <param name="EpochDev">Dev report of the fine-tuning classifier after each epoch.</param>
/// <param name="DevEmbeddings">The kept epoch's L2-normalised embeddings of the dev items (what the patched live encoder gives, up to float16 rounding).</param>
/// <param name="MaxGraphDifference">Largest |TorchSharp − ONNX| of the untouched layers' output on dev items, before training (checks the layer re-implementation).</param>
/// <param name="EncodeTime">Time to run the frozen layers over every item.</param>
/// <param name="TrainTime">Time spent training.</param>
public sealed record TextEncoderFineTuningReport(
    byte[] Patch,
    int BestEpoch,
    IReadOnlyList<ClassificationReport> EpochDev,
    float[][] DevEmbeddings,
    double MaxGraphDifference,
    TimeSpan EncodeTime,
    TimeSpan TrainTime);

/// <summary>
/// Fine-tunes the top layers of all-MiniLM-L6-v2 for emotion: the frozen lower layers run once in ONNX
/// Runtime (their output is an extra graph output), the top layers are re-implemented in TorchSharp
/// (<see cref="MiniLmLayer"/>) with the checkpoint's values and trained with a class-weighted cosine
/// classifier on the mean-pooled, L2-normalised embedding — the same embedding the live encoder gives.
/// The kept epoch's layers become an encoder patch that the live encoder writes into the packaged graph.
/// </summary>
public static class TextEncoderFineTuner
{
    private const int EncodeBatch = 64;

    /// <summary>Fine-tunes on <paramref name="train"/>, choosing the epoch on <paramref name="dev"/>'s macro-F1.</summary>
    public static TextEncoderFineTuningReport Train(IReadOnlyList<LabelledItem> train, IReadOnlyList<LabelledItem> dev, TextEncoderFineTuningOptions options)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(dev);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Layers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Layers, MiniLmGraph.LayerCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Epochs, 1);
        var log = options.Log ?? TextWriter.Null;
        torch.set_num_threads(options.Threads);
        torch.manual_seed(options.Seed);
        var random = new Random(options.Seed);

        var clock = Stopwatch.StartNew();
        var model = MiniLmPackage.ReadModel();
        var baseSha = Convert.ToHexStringLower(SHA256.HashData(model));
        var proto = Onnx.ModelProto.Parser.ParseFrom(model);
        var first = MiniLmGraph.LayerCount - options.Layers;
        var layers = Enumerable.Range(first, options.Layers).ToArray();
        var values = layers.ToDictionary(l => l, l => MiniLmGraph.LayerParameters(proto.Graph, l).ToDictionary(p => p.Key, p => (p.Value.Dims.ToArray(), MiniLmGraph.FloatValues(p.Value)), StringComparer.Ordinal));
        var tokenizer = new MiniLmTokenizer();
        var (trainStates, devStates, devFinal) = Encode(proto, first, tokenizer, train, dev);
        var encodeTime = clock.Elapsed;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"text-encoder: layers {string.Join(",", layers)} fine-tuned; {train.Count} train / {dev.Count} dev items through the frozen layers in {encodeTime.TotalSeconds:0.0} s"));

        using var stack = new MiniLmStack([.. layers.Select(l => new MiniLmLayer(l, values[l]))], options.Scale);
        var graphDifference = GraphDifference(stack, devStates, devFinal);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  TorchSharp vs ONNX on the untouched layers: max |Δ| {graphDifference:E2}"));

        var labels = train.Select(i => (long)i.Label).ToArray();
        var weights = ClassWeights(labels, options.ClassWeightPower);
        using var weightTensor = tensor(weights);
        using var layerOptimizer = optim.AdamW(stack.LayerParameters(), lr: options.LearningRate, weight_decay: options.WeightDecay);
        using var headOptimizer = optim.AdamW(stack.HeadParameters(), lr: options.HeadLearningRate, weight_decay: options.WeightDecay);
        var stepsPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        var totalSteps = options.Epochs * stepsPerEpoch;
        var warmup = Math.Max(1, totalSteps / 10);
        var step = 0;
        var reports = new List<ClassificationReport>();
        IReadOnlyDictionary<string, (long[] Shape, float[] Values)>? best = null;
        float[][] bestEmbeddings = [];
        var bestEpoch = 0;
        clock.Restart();
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            stack.train();
            double lossSum = 0;
            foreach (var batch in Batches(trainStates, options.BatchSize, random))
            {
                var factor = step < warmup ? (step + 1) / (double)warmup : Math.Max(0, (totalSteps - step) / (double)(totalSteps - warmup));
                SetLearningRate(layerOptimizer, options.LearningRate * factor);
                SetLearningRate(headOptimizer, options.HeadLearningRate * factor);
                using var scope = NewDisposeScope();
                var (x, mask) = Pad(trainStates, batch);
                var (_, logits) = stack.forward(x, mask);
                var loss = nn.functional.cross_entropy(logits, tensor(batch.Select(i => labels[i]).ToArray()), weight: weightTensor);
                layerOptimizer.zero_grad();
                headOptimizer.zero_grad();
                loss.backward();
                layerOptimizer.step();
                headOptimizer.step();
                lossSum += loss.item<float>() * batch.Length;
                step++;
            }

            var (predicted, embeddings) = Predict(stack, devStates);
            var report = ClassificationReport.From([.. dev.Select(i => i.Label)], predicted);
            reports.Add(report);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  epoch {epoch}: train loss {lossSum / train.Count:0.000}; dev acc {report.Accuracy:0.000} macro-F1 {report.MacroAverage.F1:0.000} weighted-F1 {report.WeightedAverage.F1:0.000}; recall {string.Join(" ", report.PerClass.Select(c => $"{c.Name} {c.Recall:0.00}"))} ({clock.Elapsed.TotalSeconds:0} s)"));
            if (best is null || report.MacroAverage.F1 > reports[bestEpoch - 1].MacroAverage.F1)
            {
                best = stack.Values();
                bestEmbeddings = embeddings;
                bestEpoch = epoch;
            }
        }

        return new TextEncoderFineTuningReport(MiniLmGraph.CreatePatch(baseSha, layers, best!), bestEpoch, reports, bestEmbeddings, graphDifference, encodeTime, clock.Elapsed);
    }

    /// <summary>Class weights (count of the largest class / count)^power; 0 for absent classes.</summary>
    public static float[] ClassWeights(IReadOnlyList<long> labels, double power)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var counts = new int[EmotionLabels.Count];
        foreach (var label in labels)
        {
            counts[label]++;
        }

        var largest = counts.Max();
        return [.. counts.Select(c => c == 0 ? 0f : (float)Math.Pow(largest / (double)c, power))];
    }

    private static void SetLearningRate(optim.Optimizer optimizer, double rate)
    {
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = rate;
        }
    }

    private static (TokenStates[] Train, TokenStates[] Dev, TokenStates[] DevFinal) Encode(Onnx.ModelProto proto, int firstLayer, MiniLmTokenizer tokenizer, IReadOnlyList<LabelledItem> train, IReadOnlyList<LabelledItem> dev)
    {
        var input = MiniLmGraph.LayerInput(proto.Graph, firstLayer);
        var output = new Onnx.ValueInfoProto { Name = input, Type = new Onnx.TypeProto { TensorType = new Onnx.TypeProto.Types.Tensor { ElemType = (int)Onnx.TensorProto.Types.DataType.Float } } };
        proto.Graph.Output.Add(output);
        var sessions = new OnnxSessionFactory();
        using var session = sessions.Create(Google.Protobuf.MessageExtensions.ToByteArray(proto));
        var devStates = Run(session, tokenizer, dev, input, "last_hidden_state");
        return (Run(session, tokenizer, train, input)[0], devStates[0], devStates[1]);
    }

    /// <summary>The real tokens' states of each item at each of <paramref name="outputs"/>, all from one run per batch.</summary>
    private static TokenStates[][] Run(InferenceSession session, MiniLmTokenizer tokenizer, IReadOnlyList<LabelledItem> items, params string[] outputs)
    {
        var states = outputs.Select(_ => new TokenStates[items.Count]).ToArray();

        // Similar lengths together keep padding (and time) low.
        var order = Enumerable.Range(0, items.Count).OrderBy(i => items[i].Content.Length).ToArray();
        for (var start = 0; start < order.Length; start += EncodeBatch)
        {
            var rows = order.Skip(start).Take(EncodeBatch).ToArray();
            var batch = tokenizer.Encode([.. rows.Select(i => items[i].Content)]);
            var shape = new long[] { batch.Count, batch.SequenceLength };
            using var ids = OrtValue.CreateTensorValueFromMemory(batch.InputIds.ToArray(), shape);
            using var mask = OrtValue.CreateTensorValueFromMemory(batch.AttentionMask.ToArray(), shape);
            using var types = OrtValue.CreateTensorValueFromMemory(batch.TokenTypeIds.ToArray(), shape);
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, ["input_ids", "attention_mask", "token_type_ids"], [ids, mask, types], outputs);
            for (var o = 0; o < outputs.Length; o++)
            {
                var hidden = results[o].GetTensorDataAsSpan<float>();
                for (var r = 0; r < rows.Length; r++)
                {
                    var length = batch.Length(r);
                    states[o][rows[r]] = new TokenStates(hidden.Slice(r * batch.SequenceLength * MiniLmLayer.Width, length * MiniLmLayer.Width).ToArray(), length);
                }
            }
        }

        return states;
    }

    private static double GraphDifference(MiniLmStack stack, TokenStates[] input, TokenStates[] final)
    {
        stack.eval();
        using var noGrad = no_grad();
        double max = 0;
        var sample = Enumerable.Range(0, Math.Min(64, input.Length)).ToArray();
        using var scope = NewDisposeScope();
        var (x, mask) = Pad(input, sample);
        var y = stack.Hidden(x, mask);
        for (var r = 0; r < sample.Length; r++)
        {
            var expected = final[sample[r]];
            var actual = y[r].narrow(0, 0, expected.Length).contiguous().data<float>().ToArray();
            for (var j = 0; j < actual.Length; j++)
            {
                max = Math.Max(max, Math.Abs(actual[j] - expected.Values[j]));
            }
        }

        return max;
    }

    /// <summary>Predictions and L2-normalised embeddings of <paramref name="states"/> in eval mode.</summary>
    private static (EmotionLabel[] Predicted, float[][] Embeddings) Predict(MiniLmStack stack, TokenStates[] states)
    {
        stack.eval();
        using var noGrad = no_grad();
        var predicted = new EmotionLabel[states.Length];
        var embeddings = new float[states.Length][];
        var order = Enumerable.Range(0, states.Length).OrderBy(i => states[i].Length).ToArray();
        for (var start = 0; start < order.Length; start += EncodeBatch)
        {
            using var scope = NewDisposeScope();
            var rows = order.Skip(start).Take(EncodeBatch).ToArray();
            var (x, mask) = Pad(states, rows);
            var (embedding, logits) = stack.forward(x, mask);
            var classes = logits.argmax(1).data<long>().ToArray();
            var flat = embedding.contiguous().data<float>().ToArray();
            for (var r = 0; r < rows.Length; r++)
            {
                predicted[rows[r]] = (EmotionLabel)classes[r];
                embeddings[rows[r]] = flat.AsSpan(r * MiniLmLayer.Width, MiniLmLayer.Width).ToArray();
            }
        }

        return (predicted, embeddings);
    }

    /// <summary>Shuffled batches of items of similar length.</summary>
    private static List<int[]> Batches(TokenStates[] states, int batchSize, Random random)
    {
        var order = Enumerable.Range(0, states.Length).ToArray();
        random.Shuffle(order);
        var chunk = batchSize * 50;
        var batches = new List<int[]>();
        for (var start = 0; start < order.Length; start += chunk)
        {
            var sorted = order.Skip(start).Take(chunk).OrderBy(i => states[i].Length).ToArray();
            for (var b = 0; b < sorted.Length; b += batchSize)
            {
                batches.Add(sorted[b..Math.Min(sorted.Length, b + batchSize)]);
            }
        }

        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batches));
        return batches;
    }

    private static (Tensor X, Tensor Mask) Pad(TokenStates[] states, int[] rows)
    {
        var length = rows.Max(i => states[i].Length);
        var x = new float[rows.Length * length * MiniLmLayer.Width];
        var mask = new float[rows.Length * length];
        for (var r = 0; r < rows.Length; r++)
        {
            var s = states[rows[r]];
            s.Values.CopyTo(x, r * length * MiniLmLayer.Width);
            mask.AsSpan(r * length, s.Length).Fill(1f);
        }

        return (tensor(x, [rows.Length, length, MiniLmLayer.Width]), tensor(mask, [rows.Length, length]));
    }

    /// <summary>One item's hidden states entering the fine-tuned layers: [Length, 384], real tokens only.</summary>
    private sealed record TokenStates(float[] Values, int Length);
}

/// <summary>The fine-tuned layers, mean pooling over real tokens, L2 normalisation and a scaled linear classifier.</summary>
internal sealed class MiniLmStack : nn.Module<Tensor, Tensor, (Tensor Embedding, Tensor Logits)>
{
    private readonly TorchSharp.Modules.ModuleList<MiniLmLayer> _layers;
    private readonly TorchSharp.Modules.Linear _classifier;
    private readonly float _scale;

    public MiniLmStack(IReadOnlyList<MiniLmLayer> layers, float scale)
        : base(nameof(MiniLmStack))
    {
        _layers = new TorchSharp.Modules.ModuleList<MiniLmLayer>([.. layers]);
        _classifier = nn.Linear(MiniLmLayer.Width, EmotionLabels.Count);
        _scale = scale;
        RegisterComponents();
    }

    public IEnumerable<TorchSharp.Modules.Parameter> LayerParameters() => _layers.parameters();

    public IEnumerable<TorchSharp.Modules.Parameter> HeadParameters() => _classifier.parameters();

    public IReadOnlyDictionary<string, (long[] Shape, float[] Values)> Values() =>
        _layers.SelectMany(l => l.Values()).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    public Tensor Hidden(Tensor x, Tensor mask)
    {
        foreach (var layer in _layers)
        {
            x = layer.forward(x, mask);
        }

        return x;
    }

    public override (Tensor Embedding, Tensor Logits) forward(Tensor x, Tensor mask)
    {
        var hidden = Hidden(x, mask);
        var pooled = (hidden * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim: true);
        var embedding = nn.functional.normalize(pooled, p: 2, dim: 1);
        return (embedding, _classifier.forward(embedding * _scale));
    }
}
