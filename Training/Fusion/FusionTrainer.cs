using System.Numerics.Tensors;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>Options of <see cref="FusionTrainer"/>.</summary>
/// <param name="AttentionDimension">Width of W'_i z_i + b'_i and v.</param>
/// <param name="HiddenLayers">Hidden widths of the label-fusion MLP (21 → … → 7).</param>
/// <param name="MaxEpochs">Upper bound on passes over the training set.</param>
/// <param name="Patience">Stop after this many epochs without a better dev loss (best epoch kept).</param>
/// <param name="BatchSize">Mini-batch size.</param>
/// <param name="LearningRate">Adam step size.</param>
/// <param name="WeightDecay">L2 on weight matrices and v.</param>
/// <param name="ModalityDropout">
/// Each epoch, each present modality of a training example is dropped with this probability (at
/// least one stays). Besides robustness to gaps, this is what trains the attention: with every
/// modality present, the MLP reads the z_i directly and α does not reach the output.
/// </param>
/// <param name="FusedAuxiliaryWeight">
/// Weight of an auxiliary cross-entropy on z_fused = Σ α_i z_i (0 turns it off). It makes α favour
/// the modalities that predict the label even when all are present, so α is meaningful as an
/// explanation and as the stand-in for a missing slot. The forward pass is unchanged.
/// </param>
/// <param name="NoiseCorruption">
/// Each epoch, each training example with two or more modalities has one of them replaced by noise
/// of that modality's logit statistics with this probability (label kept), so the attention learns
/// to move weight off a modality that carries no evidence. Early stopping then also scores a
/// corrupted copy of the dev examples.
/// </param>
/// <param name="NoiseAttentionWeight">
/// Weight of −log(1 − α_m) on each training example whose slot m was replaced by noise: direct
/// supervision that moves the attention (and, through the slot gate, the MLP) off a corrupted
/// modality, so a noisy modality approaches a missing one. 0 turns it off.
/// </param>
/// <param name="GatedSlots">Train the attention-gated slot rule (<see cref="FusionModel.GatedSlots"/>).</param>
/// <param name="GateShare">τ of the slot gate g_i = min(1, n α_i / τ): a slot is intact while its weight is at least τ times the even share.</param>
/// <param name="Restarts">
/// Independent trainings from seeds <c>Seed</c>, <c>Seed + 1</c>, …; the one with the lowest early-stopping
/// loss is kept (composite training is sensitive to the initialisation and the order).
/// </param>
/// <param name="BalancedClasses">Weight the loss by inverse label frequency of the training set.</param>
/// <param name="Seed">Seeds initialisation, shuffling and dropout.</param>
public sealed record FusionTrainingOptions(
    int AttentionDimension = 16,
    int[]? HiddenLayers = null,
    int MaxEpochs = 100,
    int Patience = 8,
    int BatchSize = 64,
    float LearningRate = 3e-3f,
    float WeightDecay = 1e-4f,
    float ModalityDropout = 0.3f,
    float FusedAuxiliaryWeight = 0.5f,
    float NoiseCorruption = 0f,
    float NoiseAttentionWeight = 0f,
    bool GatedSlots = false,
    float GateShare = 1f,
    int Restarts = 1,
    bool BalancedClasses = false,
    int Seed = 1);

/// <summary>A trained fusion and how training went.</summary>
/// <param name="Model">Attention + label-fusion MLP (weights of the best dev epoch).</param>
/// <param name="BestEpoch">Epoch whose weights were kept.</param>
/// <param name="History">Every epoch run (losses are the main cross-entropy, without the auxiliary term, on dev).</param>
public sealed record FusionTrainingResult(FusionModel Model, int BestEpoch, IReadOnlyList<EpochLog> History)
{
    /// <summary>Seed of the training kept (see <see cref="FusionTrainingOptions.Restarts"/>).</summary>
    public int Seed { get; init; }

    /// <summary>Early-stopping loss of the epoch kept.</summary>
    public double BestDevLoss => BestEpoch < 1 || BestEpoch > History.Count ? double.PositiveInfinity : History[BestEpoch - 1].DevLoss;

    /// <summary>
    /// Loss of the epoch kept on the clean dev examples alone (equal to <see cref="BestDevLoss"/>
    /// without noise corruption): tells whether the restart kept also serves intact inputs best.
    /// </summary>
    public double BestCleanDevLoss { get; init; } = double.PositiveInfinity;

    /// <summary>Every restart run, in seed order: seed, epoch kept, early-stopping loss and clean loss of that epoch.</summary>
    public IReadOnlyList<FusionRestart> Restarts { get; init; } = [];
}

/// <summary>One restart of <see cref="FusionTrainer.Train"/>.</summary>
/// <param name="Seed">Seed of the restart.</param>
/// <param name="BestEpoch">Epoch it kept.</param>
/// <param name="DevLoss">Early-stopping loss of that epoch (clean plus corrupted dev examples with noise corruption).</param>
/// <param name="CleanDevLoss">Loss of that epoch on the clean dev examples alone.</param>
public sealed record FusionRestart(int Seed, int BestEpoch, double DevLoss, double CleanDevLoss);

/// <summary>
/// Trains <see cref="ModalityAttention"/> and <see cref="LabelFusionMlp"/> jointly, end to end, by
/// cross-entropy on <see cref="FusionModel"/>'s output for the per-modality logits z_i, with random
/// modality dropout. Works on composites or on aligned data alike (any subset of modalities per
/// example). Managed code with hand-written backpropagation; deterministic for a seed.
/// </summary>
public static class FusionTrainer
{
    private const int Blocks = 4;

    /// <summary>Trains on <paramref name="train"/> with early stopping on <paramref name="dev"/> (used as given, no dropout).</summary>
    /// <exception cref="ArgumentException">A split is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option cannot train (zero batch or width, rate not positive, dropout outside [0, 1)).</exception>
    public static FusionTrainingResult Train(IReadOnlyList<FusionExample> train, IReadOnlyList<FusionExample> dev, FusionTrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(dev);
        if (train.Count == 0 || dev.Count == 0)
        {
            throw new ArgumentException("Fusion training needs non-empty train and dev splits.");
        }

        options ??= new FusionTrainingOptions();
        Validate(options);
        FusionTrainingResult? best = null;
        var restarts = new List<FusionRestart>(options.Restarts);
        for (var r = 0; r < options.Restarts; r++)
        {
            var result = TrainOnce(train, dev, options with { Seed = options.Seed + r });
            restarts.Add(new FusionRestart(result.Seed, result.BestEpoch, result.BestDevLoss, result.BestCleanDevLoss));
            if (best is null || result.BestDevLoss < best.BestDevLoss)
            {
                best = result;
            }
        }

        return best! with { Restarts = restarts };
    }

    private static FusionTrainingResult TrainOnce(IReadOnlyList<FusionExample> train, IReadOnlyList<FusionExample> dev, FusionTrainingOptions options)
    {
        var classWeights = new float[EmotionLabels.Count];
        Array.Fill(classWeights, 1f);
        if (options.BalancedClasses)
        {
            var counts = new int[EmotionLabels.Count];
            foreach (var e in train)
            {
                counts[(int)e.Label]++;
            }

            var present = counts.Count(c => c > 0);
            classWeights = [.. counts.Select(c => c == 0 ? 0f : train.Count / (float)(present * c))];
        }

        var random = new Random(options.Seed);
        var net = new FusionNetwork(options.AttentionDimension, options.HiddenLayers ?? [32], random, options.GatedSlots, options.GateShare);
        var adam = new Adam(net.Parameters(), options.LearningRate, options.WeightDecay);
        var passes = Enumerable.Range(0, Blocks).Select(_ => new FusionNetwork.Pass(net)).ToArray();
        var blockGradients = Enumerable.Range(0, Blocks).Select(_ => net.NewGradients()).ToArray();
        var blockLoss = new float[Blocks];
        var blockWeight = new float[Blocks];
        var gradient = net.NewGradients();

        var noise = CompositeBuilder.LogitStatistics(train);
        var clean = dev;
        if (options.NoiseCorruption > 0f)
        {
            // Early stopping also sees every dev example with one modality replaced by noise, so the
            // epoch kept is the one that is accurate and robust, not only accurate on clean input.
            var corruptRandom = new Random(options.Seed + 7919);
            dev = [.. dev, .. dev.Select(e => new FusionExample(CompositeBuilder.Corrupt([.. e.Logits], 1f, noise, corruptRandom), e.Label))];
        }

        var order = Enumerable.Range(0, train.Count).ToArray();
        var inputs = new IReadOnlyList<float[]?>[train.Count];
        var corrupted = new int[train.Count];
        var history = new List<EpochLog>();
        var best = (Loss: double.PositiveInfinity, CleanLoss: double.PositiveInfinity, Epoch: 0, State: net.Snapshot());
        for (var epoch = 1; epoch <= options.MaxEpochs && epoch - best.Epoch <= options.Patience; epoch++)
        {
            random.Shuffle(order);
            for (var i = 0; i < train.Count; i++)
            {
                var kept = CompositeBuilder.Dropout([.. train[i].Logits], options.ModalityDropout, random);
                inputs[i] = CompositeBuilder.Corrupt(kept, options.NoiseCorruption, noise, random, out corrupted[i]);
            }

            var trainLoss = 0.0;
            var trainWeight = 0.0;
            for (var start = 0; start < order.Length; start += options.BatchSize)
            {
                var size = Math.Min(options.BatchSize, order.Length - start);
                Parallel.For(0, Blocks, block =>
                {
                    foreach (var g in blockGradients[block])
                    {
                        Array.Clear(g);
                    }

                    blockLoss[block] = 0f;
                    blockWeight[block] = 0f;
                    for (var r = start + (size * block / Blocks); r < start + (size * (block + 1) / Blocks); r++)
                    {
                        var i = order[r];
                        var label = (int)train[i].Label;
                        blockLoss[block] += passes[block].Accumulate(inputs[i], label, classWeights[label], options.FusedAuxiliaryWeight, blockGradients[block], corrupted[i], options.NoiseAttentionWeight);
                        blockWeight[block] += classWeights[label];
                    }
                });

                foreach (var g in gradient)
                {
                    Array.Clear(g);
                }

                var batchWeight = 0f;
                for (var block = 0; block < Blocks; block++)
                {
                    for (var p = 0; p < gradient.Length; p++)
                    {
                        TensorPrimitives.Add(gradient[p], blockGradients[block][p], gradient[p]);
                    }

                    batchWeight += blockWeight[block];
                    trainLoss += blockLoss[block];
                }

                trainWeight += batchWeight;
                if (batchWeight > 0f)
                {
                    adam.Step(gradient, 1f / batchWeight);
                }
            }

            var (devLoss, devAccuracy) = Evaluate(passes[0], dev, classWeights);
            history.Add(new EpochLog(epoch, trainLoss / Math.Max(trainWeight, 1e-12), devLoss, devAccuracy));
            if (devLoss < best.Loss)
            {
                var cleanLoss = ReferenceEquals(clean, dev) ? devLoss : Evaluate(passes[0], clean, classWeights).Loss;
                best = (devLoss, cleanLoss, epoch, net.Snapshot());
            }
        }

        net.Restore(best.State);
        return new FusionTrainingResult(net.ToModel(), best.Epoch, history) { Seed = options.Seed, BestCleanDevLoss = best.CleanLoss };
    }

    private static void Validate(FusionTrainingOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.AttentionDimension, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxEpochs, nameof(options)); // 0 gives the initialised, untrained model
        ArgumentOutOfRangeException.ThrowIfNegative(options.Patience, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Restarts, nameof(options));
        if (!(options.GateShare > 0f && options.GateShare <= 1f) || !(options.NoiseCorruption is >= 0f and <= 1f) || !(options.NoiseAttentionWeight >= 0f) || !float.IsFinite(options.NoiseAttentionWeight))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "The gate share must be in (0, 1], the noise corruption in [0, 1] and the noise attention weight finite and non-negative.");
        }

        if (options.HiddenLayers is { } hidden && hidden.Any(w => w <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Hidden layer widths must be positive.");
        }

        if (!(options.LearningRate > 0f) || !float.IsFinite(options.LearningRate) || !(options.WeightDecay >= 0f) || !float.IsFinite(options.WeightDecay))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "The learning rate must be positive and the weight decay non-negative, both finite.");
        }

        if (!(options.ModalityDropout is >= 0f and < 1f) || !(options.FusedAuxiliaryWeight >= 0f) || !float.IsFinite(options.FusedAuxiliaryWeight))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Modality dropout must lie in [0, 1) and the auxiliary weight be finite and non-negative.");
        }
    }

    private static (double Loss, double Accuracy) Evaluate(FusionNetwork.Pass pass, IReadOnlyList<FusionExample> dev, float[] classWeights)
    {
        var loss = 0.0;
        var weight = 0.0;
        var correct = 0;
        var scratch = new float[EmotionLabels.Count];
        foreach (var example in dev)
        {
            pass.Forward(example.Logits);
            var label = (int)example.Label;
            loss += CrossEntropy.Gradient(pass.Logits, label, classWeights[label], scratch);
            weight += classWeights[label];
            correct += TensorPrimitives.IndexOfMax(pass.Logits) == label ? 1 : 0;
        }

        return (loss / Math.Max(weight, 1e-12), correct / (double)dev.Count);
    }
}
