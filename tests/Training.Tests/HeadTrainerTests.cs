using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training.Tests;

public sealed class HeadTrainerTests
{
    private static readonly int[] Informative = [0, 4, 9, 13, 21, 30];

    [Fact]
    public void Head_learns_a_separable_problem_and_the_csharp_head_reproduces_its_predictions()
    {
        var train = Synthetic.Problem(1400, 32, Informative, 3f, seed: 1);
        var dev = Synthetic.Problem(700, 32, Informative, 3f, seed: 2);
        var selection = Standardizer.Selection(train.Features, Informative);

        var result = HeadTrainer.Train(train, dev, selection, new HeadTrainingOptions(Hidden: 32, MaxEpochs: 40, Patience: 5));

        var correct = Enumerable.Range(0, dev.Count).Count(i => ModalityPrediction.FromLogits(Modality.Speech, result.Head.Logits(dev.Features[i])).Emotion == dev.Labels[i]);
        Assert.True(correct / (double)dev.Count > 0.95, $"dev accuracy {correct / (double)dev.Count:F3}");
        Assert.Equal(result.History[result.BestEpoch - 1].DevAccuracy, correct / (double)dev.Count, 3);
        Assert.True(result.History[^1].TrainLoss < result.History[0].TrainLoss);
    }

    [Fact]
    public void Head_training_is_deterministic_for_a_seed()
    {
        var train = Synthetic.Problem(350, 12, [1, 2], 2f, seed: 3);
        var dev = Synthetic.Problem(140, 12, [1, 2], 2f, seed: 4);
        var selection = Standardizer.Selection(train.Features, [1, 2, 5]);
        var options = new HeadTrainingOptions(Hidden: 16, MaxEpochs: 5, Dropout: 0.3f, BalancedClasses: true, Seed: 7);

        var a = HeadTrainer.Train(train, dev, selection, options);
        var b = HeadTrainer.Train(train, dev, selection, options);
        var c = HeadTrainer.Train(train, dev, selection, options with { Seed = 8 });

        Assert.Equal(a.Head.Projection!.Weights, b.Head.Projection!.Weights);
        Assert.Equal(a.Head.Classifier.Bias, b.Head.Classifier.Bias);
        Assert.NotEqual(a.Head.Projection!.Weights, c.Head.Projection!.Weights);
    }

    [Fact]
    public void Dropout_seeds_are_fixed_numbers_so_runs_in_different_processes_draw_the_same_masks()
    {
        // Values of the SplitMix64 mix, computed independently; a per-process hash would differ run to run.
        Assert.Equal(244638841, HeadTrainer.BlockSeed(7, 1, 0, 0));
        Assert.Equal(173464385, HeadTrainer.BlockSeed(7, 1, 0, 1));
        Assert.Equal(1659108287, HeadTrainer.BlockSeed(7, 2, 64, 3));
    }

    [Theory]
    [InlineData(0, 64, 3e-4f, 0f)]
    [InlineData(16, 0, 3e-4f, 0f)]
    [InlineData(16, 64, 0f, 0f)]
    [InlineData(16, 64, 3e-4f, 1f)]
    public void Head_training_refuses_options_that_cannot_train(int hidden, int batchSize, float learningRate, float dropout)
    {
        var train = Synthetic.Problem(70, 4, [1], 2f, seed: 3);
        var selection = Standardizer.Selection(train.Features, [1]);
        var options = new HeadTrainingOptions(Hidden: hidden, BatchSize: batchSize, LearningRate: learningRate, Dropout: dropout);

        Assert.Throws<ArgumentOutOfRangeException>(() => HeadTrainer.Train(train, train, selection, options));
    }
}

public sealed class HeadPipelineTests
{
    [Theory]
    [InlineData(SelectionMethod.L1Logistic)]
    [InlineData(SelectionMethod.TreeImportance)]
    public void Pipeline_selects_informative_features_and_reports_on_the_evaluation_split(SelectionMethod method)
    {
        int[] informative = [1, 6, 8];
        var train = Synthetic.Problem(1400, 24, informative, 2.5f, seed: 1);
        var evaluation = Synthetic.Problem(350, 24, informative, 2.5f, seed: 2);

        var trained = HeadPipeline.Train(train, evaluation, method, new HeadTrainingOptions(Hidden: 16, MaxEpochs: 30), trees: new TreeSelectionOptions(TopK: 3, Trees: 20));

        Assert.Subset(trained.Training.Head.Selection.Indices.ToHashSet(), informative.ToHashSet());
        Assert.Equal(350, trained.Evaluation.Total);
        Assert.True(trained.Evaluation.Accuracy > 0.5, $"accuracy {trained.Evaluation.Accuracy:F3}");
        Assert.Equal(method == SelectionMethod.L1Logistic, trained.L1 is not null);
    }
}

public sealed class OutOfFoldTests
{
    [Fact]
    public void Out_of_fold_logits_cover_every_item_and_are_less_confident_than_in_sample_logits()
    {
        // Weak signal, many noise features: a head overfits its own items.
        var train = Synthetic.Problem(700, 40, [0, 1], 1.5f, seed: 1);
        var selection = Standardizer.Selection(train.Features, [.. Enumerable.Range(0, 40)]);
        var options = new HeadTrainingOptions(Hidden: 32, MaxEpochs: 60, Patience: 60);

        var outOfFold = HeadTrainer.OutOfFoldLogits(train, selection, options, folds: 4);
        var inSample = HeadTrainer.Train(train, train, selection, options).Head;

        Assert.All(outOfFold, z => Assert.Equal(7, z.Length));
        static double Accuracy(IReadOnlyList<float[]> logits, LabelledFeatures data) =>
            Enumerable.Range(0, data.Count).Count(i => Array.IndexOf(logits[i], logits[i].Max()) == (int)data.Labels[i]) / (double)data.Count;
        var oofAccuracy = Accuracy(outOfFold, train);
        var inSampleAccuracy = Accuracy(HeadEvaluation.Logits(inSample, train.Features), train);
        Assert.True(oofAccuracy < inSampleAccuracy - 0.1, $"out-of-fold {oofAccuracy:F3}, in-sample {inSampleAccuracy:F3}");
        Assert.True(oofAccuracy > 0.2, $"out-of-fold {oofAccuracy:F3}");
    }
}
