using System.Text.Json;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training.Tests;

public sealed class EvaluationTests
{
    // Rows true, columns predicted; order anger, disgust, fear, joy, neutral, sadness, surprise.
    private static readonly int[][] Confusion =
    [
        [3, 0, 0, 1, 1, 0, 0],
        [0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 4, 0, 0, 0],
        [1, 1, 0, 0, 4, 0, 0],
        [0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0],
    ];

    [Fact]
    public void Metrics_match_a_hand_computed_confusion_matrix()
    {
        var report = ClassificationReport.FromConfusion(Confusion);

        Assert.Equal(11 / 15.0, report.Accuracy, 6);
        var anger = report.PerClass[0];
        Assert.Equal((0.75, 0.6, 2 * 0.75 * 0.6 / 1.35, 5), (anger.Precision, anger.Recall, anger.F1, anger.Support));
        Assert.Equal((0.8, 1.0, 4), (report.PerClass[3].Precision, report.PerClass[3].Recall, report.PerClass[3].Support));
        Assert.Equal(0.8, report.PerClass[4].Precision, 6);
        Assert.Equal(4 / 6.0, report.PerClass[4].Recall, 6);
        // Disgust was predicted once and never true: it counts in the macro average with zeros; fear does not count.
        Assert.Equal((0, 0, 0, 0), (report.PerClass[1].Precision, report.PerClass[1].Recall, report.PerClass[1].F1, report.PerClass[1].Support));
        Assert.Equal((0.75 + 0 + 0.8 + 0.8) / 4, report.MacroAverage.Precision, 6);
        Assert.Equal((0.6 + 0 + 1 + (4 / 6.0)) / 4, report.MacroAverage.Recall, 6);
        Assert.Equal(((0.75 * 5) + (0.8 * 4) + (0.8 * 6)) / 15, report.WeightedAverage.Precision, 6);
        Assert.Equal(11 / 15.0, report.WeightedAverage.Recall, 6);
        var f1Neutral = 2 * 0.8 * (4 / 6.0) / (0.8 + (4 / 6.0));
        Assert.Equal(((2 * 0.75 * 0.6 / 1.35 * 5) + (2 * 0.8 / 1.8 * 4) + (f1Neutral * 6)) / 15, report.WeightedAverage.F1, 6);
    }

    [Fact]
    public void Report_from_labels_builds_the_same_confusion_matrix()
    {
        var truth = new List<EmotionLabel>();
        var predicted = new List<EmotionLabel>();
        for (var t = 0; t < 7; t++)
        {
            for (var p = 0; p < 7; p++)
            {
                for (var k = 0; k < Confusion[t][p]; k++)
                {
                    truth.Add((EmotionLabel)t);
                    predicted.Add((EmotionLabel)p);
                }
            }
        }

        var report = ClassificationReport.From(truth, predicted);

        Assert.Equal(Confusion, report.Confusion);
        Assert.Equal(15, report.Total);
    }

    [Fact]
    public void Markdown_and_json_carry_the_table_and_the_matrix()
    {
        var report = ClassificationReport.FromConfusion(Confusion);

        var markdown = report.ToMarkdown("Table 2");
        Assert.Contains("| anger | 0.7500 | 0.6000 | 0.6667 | 5 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| **accuracy** | | | 0.7333 | 15 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| neutral | 1 | 1 | 0 | 0 | 4 | 0 | 0 |", markdown, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(report.ToJson());
        Assert.Equal(11 / 15.0, json.RootElement.GetProperty("accuracy").GetDouble(), 6);
        Assert.Equal(4, json.RootElement.GetProperty("confusion")[4][4].GetInt32());
        Assert.Equal("anger", json.RootElement.GetProperty("perClass")[0].GetProperty("name").GetString());
    }

    [Fact]
    public void Fusion_evaluation_reports_baselines_and_robustness_to_a_removed_or_noisy_modality()
    {
        static IReadOnlyList<FusionExample> Build(int count, int seed) => CompositeBuilder.Build(
            [FusionTrainerTests.Pool(700, 2.5f, 1f, seed), FusionTrainerTests.Pool(700, 1.5f, 1f, seed + 1), FusionTrainerTests.Pool(700, 0f, 2f, seed + 2)],
            new CompositeOptions(count, Seed: seed));
        var train = Build(2100, 1);
        var test = Build(700, 2);
        var model = FusionTrainer.Train(train, Build(700, 3)).Model;

        var result = FusionEvaluation.Evaluate(model, train, test, FusionEvaluation.CompositeNote);

        Assert.Equal(
            ["text alone", "speech alone", "face alone", "average of probabilities", "concatenation + logistic regression", "attention + MLP fusion"],
            result.Systems.Select(s => s.System));
        var accuracy = result.Systems.ToDictionary(s => s.System, s => s.Report.Accuracy);
        Assert.True(accuracy["face alone"] < 0.3);
        Assert.True(accuracy["attention + MLP fusion"] > accuracy["text alone"]);
        Assert.True(accuracy["attention + MLP fusion"] > accuracy["average of probabilities"]);
        var rows = result.Robustness.ToDictionary(r => r.Condition);
        Assert.True(rows["text removed"].FusionAccuracy < rows["clean"].FusionAccuracy - 0.05);
        Assert.True(Math.Abs(rows["face replaced by noise"].FusionAccuracy - rows["clean"].FusionAccuracy) < 0.03);
        Assert.Equal(0, rows["speech removed"].MeanAlpha[1]);
        Assert.Contains("not real-world multimodal accuracy", result.ToMarkdown(), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(result.ToJson());
        Assert.Equal(7, json.RootElement.GetProperty("robustness").GetArrayLength());
    }
}
