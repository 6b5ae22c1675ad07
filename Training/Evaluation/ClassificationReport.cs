using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>Precision, recall, F1 and support of one class (or an average row).</summary>
/// <param name="Name">Label name, or "macro avg" / "weighted avg".</param>
/// <param name="Precision">TP / (TP + FP); 0 when nothing was predicted as the class.</param>
/// <param name="Recall">TP / (TP + FN); 0 when the class has no examples.</param>
/// <param name="F1">Harmonic mean of precision and recall; 0 when both are 0.</param>
/// <param name="Support">True examples of the class (total for average rows).</param>
public sealed record ClassMetrics(string Name, double Precision, double Recall, double F1, int Support);

/// <summary>
/// The classification report of one system on one split: per-class precision/recall/F1/support,
/// accuracy, macro and support-weighted averages (laid out like scikit-learn's report) and the
/// confusion matrix (rows = true label, columns = predicted). Averages run over the labels that
/// occur in the truth or the predictions.
/// </summary>
public sealed class ClassificationReport
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private ClassificationReport(int[][] confusion)
    {
        Confusion = confusion;
        Total = confusion.Sum(r => r.Sum());
        var perClass = new List<ClassMetrics>();
        var active = new List<ClassMetrics>();
        var correct = 0;
        for (var c = 0; c < EmotionLabels.Count; c++)
        {
            var tp = confusion[c][c];
            correct += tp;
            var support = confusion[c].Sum();
            var predicted = confusion.Sum(r => r[c]);
            var precision = predicted == 0 ? 0 : tp / (double)predicted;
            var recall = support == 0 ? 0 : tp / (double)support;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            var metrics = new ClassMetrics(EmotionLabels.Names[c], precision, recall, f1, support);
            perClass.Add(metrics);
            if (support > 0 || predicted > 0)
            {
                active.Add(metrics);
            }
        }

        PerClass = perClass;
        Accuracy = Total == 0 ? 0 : correct / (double)Total;
        MacroAverage = new ClassMetrics("macro avg", active.Average(m => m.Precision), active.Average(m => m.Recall), active.Average(m => m.F1), Total);
        WeightedAverage = new ClassMetrics(
            "weighted avg",
            perClass.Sum(m => m.Precision * m.Support) / Total,
            perClass.Sum(m => m.Recall * m.Support) / Total,
            perClass.Sum(m => m.F1 * m.Support) / Total,
            Total);
    }

    /// <summary>Counts, [true][predicted], in label order.</summary>
    public int[][] Confusion { get; }

    /// <summary>Number of examples.</summary>
    public int Total { get; }

    /// <summary>One row per label, in label order.</summary>
    public IReadOnlyList<ClassMetrics> PerClass { get; }

    /// <summary>Fraction predicted correctly.</summary>
    public double Accuracy { get; }

    /// <summary>Unweighted mean over the active labels.</summary>
    public ClassMetrics MacroAverage { get; }

    /// <summary>Support-weighted mean over the labels.</summary>
    public ClassMetrics WeightedAverage { get; }

    /// <summary>Builds the report from true and predicted labels.</summary>
    /// <exception cref="ArgumentException">Lengths differ or there are no examples.</exception>
    public static ClassificationReport From(IReadOnlyList<EmotionLabel> truth, IReadOnlyList<EmotionLabel> predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Count != predicted.Count || truth.Count == 0)
        {
            throw new ArgumentException($"Need the same non-zero number of true and predicted labels ({truth.Count} vs {predicted.Count}).");
        }

        var confusion = Enumerable.Range(0, EmotionLabels.Count).Select(_ => new int[EmotionLabels.Count]).ToArray();
        for (var i = 0; i < truth.Count; i++)
        {
            confusion[(int)truth[i]][(int)predicted[i]]++;
        }

        return new ClassificationReport(confusion);
    }

    /// <summary>Builds the report from a confusion matrix ([true][predicted], 7 × 7).</summary>
    /// <exception cref="ArgumentException">Not 7 × 7, a negative count, or no examples.</exception>
    public static ClassificationReport FromConfusion(int[][] confusion)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        if (confusion.Length != EmotionLabels.Count || confusion.Any(r => r.Length != EmotionLabels.Count || r.Any(v => v < 0)) || confusion.Sum(r => r.Sum()) == 0)
        {
            throw new ArgumentException("Need a 7 × 7 matrix of non-negative counts with at least one example.", nameof(confusion));
        }

        return new ClassificationReport([.. confusion.Select(r => (int[])r.Clone())]);
    }

    /// <summary>Markdown: the metrics table, then the confusion matrix.</summary>
    public string ToMarkdown(string title)
    {
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"### {title}\n\n");
        s.Append("| label | precision | recall | f1-score | support |\n|---|---:|---:|---:|---:|\n");
        foreach (var m in PerClass)
        {
            s.Append(Row(m));
        }

        s.Append(CultureInfo.InvariantCulture, $"| **accuracy** | | | {Accuracy:F4} | {Total} |\n");
        s.Append(Row(MacroAverage)).Append(Row(WeightedAverage));
        s.Append("\nConfusion matrix (rows: true, columns: predicted)\n\n| true \\ predicted | ");
        s.AppendJoin(" | ", EmotionLabels.Names).Append(" |\n|---|").Append(string.Concat(Enumerable.Repeat("---:|", EmotionLabels.Count))).Append('\n');
        for (var c = 0; c < EmotionLabels.Count; c++)
        {
            s.Append(CultureInfo.InvariantCulture, $"| {EmotionLabels.Names[c]} | ").AppendJoin(" | ", Confusion[c]).Append(" |\n");
        }

        return s.ToString();
    }

    /// <summary>JSON with labels, per-class rows, accuracy, averages and the confusion matrix.</summary>
    public string ToJson() => JsonSerializer.Serialize(ToDto(), Json);

    /// <summary>The JSON shape as an object (for embedding in larger reports).</summary>
    public object ToDto() => new
    {
        labels = EmotionLabels.Names,
        perClass = PerClass,
        accuracy = Accuracy,
        macroAvg = MacroAverage,
        weightedAvg = WeightedAverage,
        total = Total,
        confusion = Confusion,
    };

    private static string Row(ClassMetrics m) =>
        string.Create(CultureInfo.InvariantCulture, $"| {m.Name} | {m.Precision:F4} | {m.Recall:F4} | {m.F1:F4} | {m.Support} |\n");
}
