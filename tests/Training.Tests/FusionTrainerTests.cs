using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training.Tests;

public sealed class FusionTrainerTests
{
    /// <summary>Logits that point at the label (+signal on its class) plus N(0, noise²) on every class.</summary>
    internal static ModalityPool Pool(int n, float signal, float noise, int seed)
    {
        var random = new Random(seed);
        var logits = new float[n][];
        var labels = new EmotionLabel[n];
        for (var i = 0; i < n; i++)
        {
            labels[i] = (EmotionLabel)(i % EmotionLabels.Count);
            logits[i] = [.. Enumerable.Range(0, EmotionLabels.Count).Select(c => (c == (int)labels[i] ? signal : 0f) + (float)(noise * Synthetic.Gaussian(random)))];
        }

        return new ModalityPool(logits, labels);
    }

    private static IReadOnlyList<FusionExample> Composites(int count, int seed, float dropout = 0f) =>
        CompositeBuilder.Build(
            [Pool(700, 2.5f, 1f, seed), Pool(700, 1.5f, 1f, seed + 1), Pool(700, 0f, 2f, seed + 2)],
            new CompositeOptions(count, dropout, Seed: seed));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Backpropagation_matches_finite_differences(bool gatedSlots)
    {
        var net = new FusionNetwork(4, [5], new Random(3), gatedSlots, gateShare: 0.5f);
        var pass = new FusionNetwork.Pass(net);
        var examples = Composites(6, seed: 11).Select((e, i) => i switch
        {
            1 => e.With(Modality.Speech, null),
            2 => e.With(Modality.Text, null).With(Modality.Face, null),
            _ => e,
        }).ToArray();
        var gradients = net.NewGradients();
        // Example 0 has its text slot marked corrupted, so the attention's noise term is checked too.
        int Corrupted(int i) => i == 0 ? (int)Modality.Text : -1;
        for (var i = 0; i < examples.Length; i++)
        {
            pass.Accumulate(examples[i].Logits, (int)examples[i].Label, 1.3f, 0.5f, gradients, Corrupted(i), 0.7f);
        }

        double Loss()
        {
            var scratch = net.NewGradients();
            return examples.Select((e, i) => (double)pass.Accumulate(e.Logits, (int)e.Label, 1.3f, 0.5f, scratch, Corrupted(i), 0.7f)).Sum();
        }

        var parameters = net.Parameters();
        var checkedCount = 0;
        for (var p = 0; p < parameters.Count; p++)
        {
            var values = parameters[p].Values;
            for (var k = 0; k < values.Length; k += Math.Max(1, values.Length / 5))
            {
                var original = values[k];
                const float H = 1e-2f;
                values[k] = original + H;
                var up = Loss();
                values[k] = original - H;
                var down = Loss();
                values[k] = original;
                var numeric = (up - down) / (2 * H);
                Assert.True(Math.Abs(numeric - gradients[p][k]) < 2e-3 + (0.02 * Math.Abs(numeric)), $"parameter {p}[{k}]: numeric {numeric}, analytic {gradients[p][k]}");
                checkedCount++;
            }
        }

        Assert.True(checkedCount > 40);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Trained_fusion_model_reproduces_the_training_forward_pass(bool gatedSlots)
    {
        var train = Composites(1400, seed: 1);
        var dev = Composites(350, seed: 2, dropout: 0.4f);
        var result = FusionTrainer.Train(train, dev, new FusionTrainingOptions(MaxEpochs: 3, NoiseCorruption: gatedSlots ? 0.3f : 0f, GatedSlots: gatedSlots, GateShare: 0.5f));
        Assert.Equal(gatedSlots, result.Model.GatedSlots);
        Assert.Equal(gatedSlots, FusionFile.From(result.Model, "fer").ToModel().GatedSlots);

        // Rebuild the trainer's network from the exported model and compare with the C# model.
        var net = new FusionNetwork(16, [32], new Random(0), gatedSlots, gateShare: 0.5f);
        var layers = result.Model.Attention.Attention.Projections;
        for (var i = 0; i < 3; i++)
        {
            layers[i].Weights.CopyTo(net.Projections[i].W, 0);
            layers[i].Bias.CopyTo(net.Projections[i].B, 0);
        }

        result.Model.Attention.Attention.V.CopyTo(net.V, 0);
        for (var l = 0; l < net.Mlp.Length; l++)
        {
            result.Model.Mlp.Layers[l].Weights.CopyTo(net.Mlp[l].W, 0);
            result.Model.Mlp.Layers[l].Bias.CopyTo(net.Mlp[l].B, 0);
        }

        var pass = new FusionNetwork.Pass(net);
        foreach (var example in dev)
        {
            pass.Forward(example.Logits);
            var output = result.Model.Fuse(example.Logits);
            var expected = Softmax.Apply(pass.Logits);
            for (var c = 0; c < EmotionLabels.Count; c++)
            {
                Assert.Equal(expected[c], output.Probabilities[c], 1e-5f);
                Assert.Equal(pass.Fused[c], output.Fused[c], 1e-5f);
            }

            for (var m = 0; m < 3; m++)
            {
                Assert.Equal(pass.Alpha[m], output.Alpha[m], 1e-5f);
            }
        }
    }

    [Fact]
    public void Fusion_learns_to_down_weight_a_noise_modality_and_beats_the_best_single_modality()
    {
        var train = Composites(2800, seed: 1);
        var dev = Composites(1400, seed: 2);
        var untrained = FusionTrainer.Train(train, dev, new FusionTrainingOptions(MaxEpochs: 0));

        var result = FusionTrainer.Train(train, dev, new FusionTrainingOptions(Seed: 5));

        static double MeanAlpha(FusionModel model, IReadOnlyList<FusionExample> examples, Modality m) =>
            examples.Average(e => model.Fuse(e.Logits).Alpha[(int)m]);
        var faceBefore = MeanAlpha(untrained.Model, dev, Modality.Face);
        var faceAfter = MeanAlpha(result.Model, dev, Modality.Face);
        Assert.True(faceAfter < 0.5 * faceBefore, $"mean α_face {faceBefore:F3} → {faceAfter:F3}");
        Assert.True(faceAfter < MeanAlpha(result.Model, dev, Modality.Text));

        var fused = dev.Count(e => result.Model.Fuse(e.Logits).Emotion == e.Label) / (double)dev.Count;
        var textAlone = dev.Count(e => ModalityPrediction.FromLogits(Modality.Text, e.Logits[0]!).Emotion == e.Label) / (double)dev.Count;
        Assert.True(fused > textAlone + 0.02, $"fused {fused:F3}, text alone {textAlone:F3}");
    }

    [Fact]
    public void The_noise_attention_loss_moves_more_weight_off_a_corrupted_modality()
    {
        var train = Composites(1400, seed: 1);
        var dev = Composites(700, seed: 2);
        var statistics = CompositeBuilder.LogitStatistics(train);
        var random = new Random(4);
        var noisyText = dev.Select(e => new FusionExample([CompositeBuilder.NoiseRow(statistics[0], random), e.Logits[1], e.Logits[2]], e.Label)).ToArray();
        var plain = new FusionTrainingOptions(MaxEpochs: 6, NoiseCorruption: 0.7f, GatedSlots: true, Seed: 3);

        var without = FusionTrainer.Train(train, dev, plain).Model;
        var with = FusionTrainer.Train(train, dev, plain with { NoiseAttentionWeight = 2f }).Model;

        static double TextAlpha(FusionModel model, IReadOnlyList<FusionExample> examples) => examples.Average(e => model.Fuse(e.Logits).Alpha[(int)Modality.Text]);
        Assert.True(TextAlpha(with, noisyText) < TextAlpha(without, noisyText) - 0.02, $"α_text on noise {TextAlpha(without, noisyText):F3} → {TextAlpha(with, noisyText):F3}");
    }

    [Fact]
    public void Restarts_keep_the_training_with_the_lowest_early_stopping_loss()
    {
        var train = Composites(700, seed: 1);
        var dev = Composites(350, seed: 2);
        var options = new FusionTrainingOptions(MaxEpochs: 3, Seed: 10);

        var singles = Enumerable.Range(0, 3).Select(r => FusionTrainer.Train(train, dev, options with { Seed = 10 + r })).ToArray();
        var best = FusionTrainer.Train(train, dev, options with { Restarts = 3 });

        Assert.Equal(singles.Min(r => r.BestDevLoss), best.BestDevLoss);
        Assert.Equal(singles.MinBy(r => r.BestDevLoss)!.Seed, best.Seed);
        Assert.Throws<ArgumentOutOfRangeException>(() => FusionTrainer.Train(train, dev, options with { Restarts = 0 }));
    }

    [Fact]
    public void Every_restart_is_reported_with_its_early_stopping_loss_and_its_loss_on_clean_examples()
    {
        var train = Composites(700, seed: 1);
        var dev = Composites(350, seed: 2);
        var options = new FusionTrainingOptions(MaxEpochs: 3, NoiseCorruption: 0.7f, Restarts: 3, Seed: 10);

        var noisy = FusionTrainer.Train(train, dev, options);
        var plain = FusionTrainer.Train(train, dev, options with { NoiseCorruption = 0f });

        Assert.Equal([10, 11, 12], noisy.Restarts.Select(r => r.Seed));
        Assert.Equal(noisy.Restarts.MinBy(r => r.DevLoss)!.Seed, noisy.Seed);
        Assert.Equal(noisy.BestCleanDevLoss, noisy.Restarts.Single(r => r.Seed == noisy.Seed).CleanDevLoss);
        Assert.All(noisy.Restarts, r => Assert.True(r.CleanDevLoss < r.DevLoss, $"clean {r.CleanDevLoss:F4} against clean + noise {r.DevLoss:F4}"));
        Assert.All(plain.Restarts, r => Assert.Equal(r.DevLoss, r.CleanDevLoss));
    }

    [Fact]
    public void Fusion_training_accepts_aligned_examples_with_any_subset_of_modalities_and_is_deterministic()
    {
        var pool = Pool(300, 2f, 1f, 9);
        var aligned = Enumerable.Range(0, 300).Select(i => new FusionExample(
            [pool.Logits[i], i % 3 == 0 ? null : pool.Logits[(i + 7) % 300], i % 2 == 0 ? null : pool.Logits[i]], pool.Labels[i])).ToArray();
        var options = new FusionTrainingOptions(MaxEpochs: 4, BalancedClasses: true);

        var a = FusionTrainer.Train(aligned[..200], aligned[200..], options);
        var b = FusionTrainer.Train(aligned[..200], aligned[200..], options);

        Assert.Equal(a.Model.Mlp.Layers[0].Weights, b.Model.Mlp.Layers[0].Weights);
        Assert.Equal(a.Model.Attention.Attention.V, b.Model.Attention.Attention.V);
        Assert.Equal(4, a.History.Count);
    }

    [Theory]
    [InlineData(0, 64, 0.3f)]
    [InlineData(16, 0, 0.3f)]
    [InlineData(16, 64, 1f)]
    [InlineData(16, 64, -0.1f)]
    public void Fusion_training_refuses_options_that_cannot_train(int attentionDimension, int batchSize, float modalityDropout)
    {
        var pool = Pool(20, 2f, 1f, 9);
        var examples = Enumerable.Range(0, 20).Select(i => new FusionExample([pool.Logits[i], null, null], pool.Labels[i])).ToArray();
        var options = new FusionTrainingOptions(AttentionDimension: attentionDimension, BatchSize: batchSize, ModalityDropout: modalityDropout);

        Assert.Throws<ArgumentOutOfRangeException>(() => FusionTrainer.Train(examples, examples, options));
    }

    [Fact]
    public void Composites_pair_items_of_the_same_label_and_keep_at_least_one_modality()
    {
        var pools = new ModalityPool?[] { Pool(70, 1f, 0f, 1), null, Pool(14, 1f, 0f, 2) };

        var examples = CompositeBuilder.Build(pools, new CompositeOptions(500, ModalityDropout: 0.5f, Seed: 3));
        var again = CompositeBuilder.Build(pools, new CompositeOptions(500, ModalityDropout: 0.5f, Seed: 3));

        Assert.All(examples, e =>
        {
            Assert.False(e.Has(Modality.Speech));
            Assert.True(e.Has(Modality.Text) || e.Has(Modality.Face));
            foreach (var z in e.Logits.OfType<float[]>())
            {
                // Noise-free pools: the label's class holds the signal.
                Assert.Equal((int)e.Label, Array.IndexOf(z, z.Max()));
            }
        });
        Assert.Contains(examples, e => e.Has(Modality.Text) && e.Has(Modality.Face));
        Assert.Contains(examples, e => !e.Has(Modality.Text));
        Assert.Equal(examples.Select(e => (e.Label, e.Has(Modality.Face))), again.Select(e => (e.Label, e.Has(Modality.Face))));
    }
}
