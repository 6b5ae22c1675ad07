using Emotion.Orleans.Inference;
using System.Numerics.Tensors;

namespace Emotion.Orleans.Training;

/// <summary>Options of <see cref="HeadTrainer"/>.</summary>
/// <param name="Hidden">Width h of the projection W x' + b.</param>
/// <param name="MaxEpochs">Upper bound on passes over the training set.</param>
/// <param name="Patience">Stop after this many epochs without a better dev loss (the best epoch's weights are kept).</param>
/// <param name="BatchSize">Mini-batch size.</param>
/// <param name="LearningRate">Adam step size.</param>
/// <param name="WeightDecay">L2 penalty (Adam's weight decay).</param>
/// <param name="Dropout">Inverted dropout on the hidden units while training (0 turns it off; inference never drops).</param>
/// <param name="BalancedClasses">Weight the cross-entropy by inverse class frequency of the training set.</param>
/// <param name="ClassWeights">Explicit per-class loss weights (override <paramref name="BalancedClasses"/>).</param>
/// <param name="Seed">Seeds initialisation, shuffling and dropout.</param>
public sealed record HeadTrainingOptions(
    int Hidden = 64,
    int MaxEpochs = 200,
    int Patience = 10,
    int BatchSize = 64,
    float LearningRate = 3e-4f,
    float WeightDecay = 1e-4f,
    float Dropout = 0f,
    bool BalancedClasses = false,
    float[]? ClassWeights = null,
    int Seed = 1);

/// <summary>One epoch of a training run.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="TrainLoss">Mean (weighted) training cross-entropy over the epoch's batches.</param>
/// <param name="DevLoss">(Weighted) cross-entropy on the dev split after the epoch.</param>
/// <param name="DevAccuracy">Accuracy on the dev split after the epoch.</param>
public sealed record EpochLog(int Epoch, double TrainLoss, double DevLoss, double DevAccuracy);

/// <summary>A trained head and how training went.</summary>
/// <param name="Head">The head (weights of the best dev epoch).</param>
/// <param name="BestEpoch">Epoch whose weights were kept.</param>
/// <param name="History">Every epoch run.</param>
public sealed record HeadTrainingResult(ModalityHead Head, int BestEpoch, IReadOnlyList<EpochLog> History);

/// <summary>
/// Trains a <see cref="ModalityHead"/>: x' = selection(x) (standardised), h = W x' + b, ReLU,
/// z = C h — cross-entropy (optionally class-weighted, normalised by the batch's total weight) with
/// Adam and early stopping on the dev loss. Managed code (System.Numerics.Tensors); each batch's
/// gradient is summed over fixed row blocks in a fixed order, so a seed gives the same head on any
/// machine and core count.
/// </summary>
public static class HeadTrainer
{
    private const int Blocks = 4;

    /// <summary>Trains on <paramref name="train"/> with early stopping on <paramref name="dev"/>.</summary>
    /// <exception cref="ArgumentException">Widths disagree or the selection indexes past the features.</exception>
    public static HeadTrainingResult Train(LabelledFeatures train, LabelledFeatures dev, FeatureSelection selection, HeadTrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(dev);
        ArgumentNullException.ThrowIfNull(selection);
        options ??= new HeadTrainingOptions();
        Validate(options);
        if (dev.Width != train.Width)
        {
            throw new ArgumentException($"Dev vectors have {dev.Width} features, train {train.Width}.", nameof(dev));
        }

        if (selection.Indices.Max() >= train.Width)
        {
            throw new ArgumentException($"Selection indexes past the {train.Width} features.", nameof(selection));
        }

        var xTrain = Standardizer.Apply(selection, train.Features);
        var xDev = Standardizer.Apply(selection, dev.Features);
        var classWeights = options.ClassWeights ?? (options.BalancedClasses ? train.BalancedClassWeights() : [.. Enumerable.Repeat(1f, EmotionLabels.Count)]);
        var random = new Random(options.Seed);
        var projection = new Dense(selection.Count, options.Hidden, random);
        var classifier = new Dense(options.Hidden, EmotionLabels.Count, random);
        var adam = new Adam([(projection.W, true), (projection.B, false), (classifier.W, true), (classifier.B, false)], options.LearningRate, options.WeightDecay);
        var workers = Enumerable.Range(0, Blocks).Select(_ => new Worker(projection, classifier, options.Dropout)).ToArray();
        var gradient = new[] { new float[projection.W.Length], new float[projection.B.Length], new float[classifier.W.Length], new float[classifier.B.Length] };

        var order = Enumerable.Range(0, train.Count).ToArray();
        var history = new List<EpochLog>();
        var best = (Loss: double.PositiveInfinity, Epoch: 0, Projection: projection.Snapshot(), Classifier: classifier.Snapshot());
        for (var epoch = 1; epoch <= options.MaxEpochs && epoch - best.Epoch <= options.Patience; epoch++)
        {
            random.Shuffle(order);
            var trainLoss = 0.0;
            var trainWeight = 0.0;
            for (var start = 0; start < order.Length; start += options.BatchSize)
            {
                var size = Math.Min(options.BatchSize, order.Length - start);
                Parallel.For(0, Blocks, block =>
                {
                    var worker = workers[block];
                    // One generator per (epoch, batch, block): the same masks whatever thread runs the block.
                    worker.Clear(BlockSeed(options.Seed, epoch, start, block));
                    for (var r = start + (size * block / Blocks); r < start + (size * (block + 1) / Blocks); r++)
                    {
                        var i = order[r];
                        var label = (int)train.Labels[i];
                        worker.Accumulate(xTrain[i], label, classWeights[label]);
                    }
                });

                var batchWeight = 0f;
                foreach (var g in gradient)
                {
                    Array.Clear(g);
                }

                foreach (var worker in workers)
                {
                    for (var p = 0; p < gradient.Length; p++)
                    {
                        TensorPrimitives.Add(gradient[p], worker.Gradient[p], gradient[p]);
                    }

                    batchWeight += worker.Weight;
                    trainLoss += worker.Loss;
                }

                trainWeight += batchWeight;
                if (batchWeight > 0f)
                {
                    adam.Step(gradient, 1f / batchWeight);
                }
            }

            var (devLoss, devAccuracy) = Evaluate(projection, classifier, xDev, dev.Labels, classWeights);
            history.Add(new EpochLog(epoch, trainLoss / Math.Max(trainWeight, 1e-12), devLoss, devAccuracy));
            if (devLoss < best.Loss)
            {
                best = (devLoss, epoch, projection.Snapshot(), classifier.Snapshot());
            }
        }

        projection.Restore(best.Projection);
        classifier.Restore(best.Classifier);
        return new HeadTrainingResult(new ModalityHead(train.Width, selection, projection.ToLayer(), classifier.ToLayer()), best.Epoch, history);
    }

    /// <summary>
    /// Out-of-fold logits for every training item: <paramref name="folds"/> stratified folds; each
    /// fold's logits come from a head trained on the other folds (early stopping on a stratified 15 %
    /// of those). These, not the logits of a head that saw the items, are what the fusion should be
    /// trained on: a head's logits on its own training items are over-confident.
    /// </summary>
    public static float[][] OutOfFoldLogits(LabelledFeatures train, FeatureSelection selection, HeadTrainingOptions? options = null, int folds = 5, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var fold = new int[train.Count];
        var random = new Random(seed);
        for (var c = 0; c < EmotionLabels.Count; c++)
        {
            var members = Enumerable.Range(0, train.Count).Where(i => (int)train.Labels[i] == c).ToArray();
            random.Shuffle(members);
            for (var k = 0; k < members.Length; k++)
            {
                fold[members[k]] = k % folds;
            }
        }

        var logits = new float[train.Count][];
        for (var f = 0; f < folds; f++)
        {
            var inFold = Enumerable.Range(0, train.Count).Where(i => fold[i] == f).ToArray();
            var (fit, stop) = train.Subset(Enumerable.Range(0, train.Count).Where(i => fold[i] != f)).StratifiedSplit(0.15, seed + f + 1);
            var head = Train(fit, stop, selection, options).Head;
            foreach (var i in inFold)
            {
                logits[i] = head.Logits(train.Features[i]);
            }
        }

        return logits;
    }

    private static (double Loss, double Accuracy) Evaluate(Dense projection, Dense classifier, float[][] x, IReadOnlyList<EmotionLabel> y, float[] classWeights)
    {
        var loss = 0.0;
        var weight = 0.0;
        var correct = 0;
        var hidden = new float[projection.Out];
        var logits = new float[EmotionLabels.Count];
        var scratch = new float[EmotionLabels.Count];
        for (var i = 0; i < x.Length; i++)
        {
            projection.Forward(x[i], hidden);
            TensorPrimitives.Max(hidden, 0f, hidden);
            classifier.Forward(hidden, logits);
            var label = (int)y[i];
            loss += CrossEntropy.Gradient(logits, label, classWeights[label], scratch);
            weight += classWeights[label];
            correct += TensorPrimitives.IndexOfMax(logits) == label ? 1 : 0;
        }

        return (loss / Math.Max(weight, 1e-12), x.Length == 0 ? 0.0 : correct / (double)x.Length);
    }

    /// <summary>
    /// The dropout seed of one (epoch, batch, block). A fixed integer mix (SplitMix64's finaliser),
    /// not <see cref="HashCode"/>, whose per-process random seed would make every run's masks differ.
    /// </summary>
    internal static int BlockSeed(int seed, int epoch, int start, int block)
    {
        var z = (ulong)(uint)seed;
        foreach (var part in (ReadOnlySpan<int>)[epoch, start, block])
        {
            z = (z * 0x9E3779B97F4A7C15UL) + (uint)part;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
        }

        return (int)(z & int.MaxValue);
    }

    private static void Validate(HeadTrainingOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Hidden, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxEpochs, nameof(options)); // 0 gives the initialised, untrained head
        ArgumentOutOfRangeException.ThrowIfNegative(options.Patience, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize, nameof(options));
        if (!(options.LearningRate > 0f) || !float.IsFinite(options.LearningRate) || !(options.WeightDecay >= 0f) || !float.IsFinite(options.WeightDecay))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "The learning rate must be positive and the weight decay non-negative, both finite.");
        }

        if (!(options.Dropout is >= 0f and < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Dropout must be in [0, 1).");
        }

        if (options.ClassWeights is { } weights && (weights.Length != EmotionLabels.Count || weights.Any(w => !(w >= 0f) || !float.IsFinite(w))))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Class weights must be {EmotionLabels.Count} finite, non-negative values.");
        }
    }

    /// <summary>Per-block forward/backward buffers.</summary>
    private sealed class Worker(Dense projection, Dense classifier, float dropout)
    {
        private Random _random = new(0);
        private readonly float[] _hidden = new float[projection.Out];
        private readonly float[] _logits = new float[EmotionLabels.Count];
        private readonly float[] _dLogits = new float[EmotionLabels.Count];
        private readonly float[] _dHidden = new float[projection.Out];

        public float[][] Gradient { get; } = [new float[projection.W.Length], new float[projection.B.Length], new float[classifier.W.Length], new float[classifier.B.Length]];

        public float Loss { get; private set; }

        public float Weight { get; private set; }

        public void Clear(int seed)
        {
            _random = new Random(seed);
            foreach (var g in Gradient)
            {
                Array.Clear(g);
            }

            Loss = 0f;
            Weight = 0f;
        }

        public void Accumulate(float[] x, int label, float weight)
        {
            projection.Forward(x, _hidden);
            TensorPrimitives.Max(_hidden, 0f, _hidden);
            if (dropout > 0f)
            {
                var keep = 1f / (1f - dropout);
                for (var j = 0; j < _hidden.Length; j++)
                {
                    // A dropped unit is 0, so the ReLU gate below also stops its gradient.
                    _hidden[j] = _random.NextSingle() < dropout ? 0f : _hidden[j] * keep;
                }
            }

            classifier.Forward(_hidden, _logits);
            Loss += CrossEntropy.Gradient(_logits, label, weight, _dLogits);
            Weight += weight;
            classifier.Backward(_hidden, _dLogits, Gradient[2], Gradient[3], _dHidden);
            for (var j = 0; j < _hidden.Length; j++)
            {
                // ReLU (and dropout) gate: no gradient where the unit was off; kept units carry the 1/(1−p) scale.
                if (_hidden[j] <= 0f)
                {
                    _dHidden[j] = 0f;
                }
                else if (dropout > 0f)
                {
                    _dHidden[j] /= 1f - dropout;
                }
            }

            projection.Backward(x, _dHidden, Gradient[0], Gradient[1], []);
        }
    }
}
