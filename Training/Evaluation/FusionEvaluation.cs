using System.Globalization;
using System.Numerics.Tensors;
using System.Text;
using System.Text.Json;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>One system's report on the evaluation examples it could answer.</summary>
/// <param name="System">Name of the system.</param>
/// <param name="Report">Its classification report.</param>
public sealed record SystemReport(string System, ClassificationReport Report);

/// <summary>One row of the robustness table.</summary>
/// <param name="Condition">"clean", "text removed", "speech replaced by noise", …</param>
/// <param name="FusionAccuracy">Accuracy of the attention + MLP fusion.</param>
/// <param name="AverageAccuracy">Accuracy of average-of-probabilities fusion under the same condition.</param>
/// <param name="ConcatenationAccuracy">Accuracy of the concatenation + logistic-regression baseline.</param>
/// <param name="MeanAlpha">Mean attention weight of text, speech and face.</param>
public sealed record RobustnessRow(string Condition, double FusionAccuracy, double AverageAccuracy, double ConcatenationAccuracy, double[] MeanAlpha);

/// <summary>Everything the fusion evaluation produced.</summary>
/// <param name="Systems">Single modalities, average of probabilities, concatenation + LR, attention + MLP.</param>
/// <param name="Robustness">Clean, then each modality present in the test set removed and replaced by noise.</param>
/// <param name="Note">What the evaluation data is (e.g. that composites are not aligned data).</param>
public sealed record FusionEvaluationResult(IReadOnlyList<SystemReport> Systems, IReadOnlyList<RobustnessRow> Robustness, string Note)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Markdown: summary table, robustness table, then every system's full report.</summary>
    public string ToMarkdown()
    {
        var s = new StringBuilder();
        s.Append("## Fusion evaluation\n\n").Append(Note).Append("\n\n");
        s.Append("| system | n | accuracy | macro-F1 | weighted-F1 |\n|---|---:|---:|---:|---:|\n");
        foreach (var r in Systems)
        {
            s.Append(CultureInfo.InvariantCulture, $"| {r.System} | {r.Report.Total} | {r.Report.Accuracy:F4} | {r.Report.MacroAverage.F1:F4} | {r.Report.WeightedAverage.F1:F4} |\n");
        }

        s.Append("\n### Robustness\n\n| condition | attention+MLP acc. | average-prob. acc. | concat+LR acc. | mean α text | mean α speech | mean α face |\n|---|---:|---:|---:|---:|---:|---:|\n");
        foreach (var r in Robustness)
        {
            s.Append(CultureInfo.InvariantCulture, $"| {r.Condition} | {r.FusionAccuracy:F4} | {r.AverageAccuracy:F4} | {r.ConcatenationAccuracy:F4} | {r.MeanAlpha[0]:F3} | {r.MeanAlpha[1]:F3} | {r.MeanAlpha[2]:F3} |\n");
        }

        foreach (var r in Systems)
        {
            s.Append('\n').Append(r.Report.ToMarkdown(r.System));
        }

        return s.ToString();
    }

    /// <summary>JSON of the same content.</summary>
    public string ToJson() => JsonSerializer.Serialize(
        new
        {
            note = Note,
            systems = Systems.Select(r => new { system = r.System, report = r.Report.ToDto() }),
            robustness = Robustness,
        },
        JsonOptions);
}

/// <summary>
/// Compares the attention + MLP fusion with the baselines on the same examples: each modality
/// alone (on the examples where it is present), average of the present modalities' probabilities,
/// and one logistic regression over [z_t; z_s; z_f; presence flags] (missing slots zero) fitted on
/// the fusion training split; then a robustness table with one modality removed or replaced by noise.
/// </summary>
public static class FusionEvaluation
{
    /// <summary>Default note for composite data.</summary>
    public const string CompositeNote =
        "Evaluated on composites that pair single-modality items of the same label from different datasets: " +
        "the modalities are independent given the label, so this measures the fusion mechanism, not real-world multimodal accuracy.";

    /// <summary>Runs the comparison.</summary>
    /// <param name="model">The trained fusion.</param>
    /// <param name="train">Fusion training examples (fits the concatenation baseline and the noise statistics).</param>
    /// <param name="test">Evaluation examples.</param>
    /// <param name="note">What the data is (use <see cref="CompositeNote"/> for composites).</param>
    /// <param name="seed">Seeds the noise.</param>
    public static FusionEvaluationResult Evaluate(FusionModel model, IReadOnlyList<FusionExample> train, IReadOnlyList<FusionExample> test, string note, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        var concatenation = FitConcatenation(train);
        var systems = new List<SystemReport>();
        foreach (var m in Enum.GetValues<Modality>())
        {
            var present = test.Where(e => e.Has(m)).ToArray();
            if (present.Length > 0)
            {
                systems.Add(new SystemReport(
                    $"{m.ToString().ToLowerInvariant()} alone",
                    ClassificationReport.From([.. present.Select(e => e.Label)], [.. present.Select(e => Argmax(e.Logits[(int)m]!))])));
            }
        }

        var truth = test.Select(e => e.Label).ToArray();
        systems.Add(new SystemReport("average of probabilities", ClassificationReport.From(truth, [.. test.Select(AverageOfProbabilities)])));
        systems.Add(new SystemReport("concatenation + logistic regression", ClassificationReport.From(truth, [.. test.Select(e => Argmax(concatenation.Logits(Concatenate(e))))])));
        systems.Add(new SystemReport("attention + MLP fusion", ClassificationReport.From(truth, [.. test.Select(e => model.Fuse(e.Logits).Emotion)])));

        var robustness = new List<RobustnessRow> { Row("clean", model, concatenation, test) };
        var noise = NoiseStatistics(train);
        foreach (var m in Enum.GetValues<Modality>().Where(m => test.Any(e => e.Has(m))))
        {
            var name = m.ToString().ToLowerInvariant();
            // Removal only where another modality stays; examples with m alone keep it.
            robustness.Add(Row($"{name} removed", model, concatenation, [.. test.Select(e => e.Has(m) && e.Logits.Count(z => z is not null) > 1 ? e.With(m, null) : e)]));
            var random = new Random(seed + (int)m);
            robustness.Add(Row($"{name} replaced by noise", model, concatenation, [.. test.Select(e => e.Has(m) ? e.With(m, Noise(noise[(int)m], random)) : e)]));
        }

        return new FusionEvaluationResult(systems, robustness, note);
    }

    /// <summary>Average-of-probabilities fusion: argmax of the mean softmax over present modalities.</summary>
    public static EmotionLabel AverageOfProbabilities(FusionExample example)
    {
        ArgumentNullException.ThrowIfNull(example);
        var sum = new float[EmotionLabels.Count];
        foreach (var z in example.Logits)
        {
            if (z is not null)
            {
                TensorPrimitives.Add(sum, Softmax.Apply(z), sum);
            }
        }

        return (EmotionLabel)TensorPrimitives.IndexOfMax<float>(sum);
    }

    /// <summary>Fits the concatenation baseline: multinomial LR (small ridge) on [z_t; z_s; z_f; presence flags].</summary>
    public static MultinomialLogisticRegression FitConcatenation(IReadOnlyList<FusionExample> train)
    {
        ArgumentNullException.ThrowIfNull(train);
        return MultinomialLogisticRegression.Fit([.. train.Select(Concatenate)], [.. train.Select(e => e.Label)], new LogisticOptions(L2: 1e-3f, MaxIterations: 1000));
    }

    /// <summary>[z_t; z_s; z_f; 1{text}; 1{speech}; 1{face}] with zeros for missing slots.</summary>
    public static float[] Concatenate(FusionExample example)
    {
        ArgumentNullException.ThrowIfNull(example);
        var x = new float[LabelFusionMlp.InputWidth + ModalityAttention.ModalityCount];
        for (var m = 0; m < ModalityAttention.ModalityCount; m++)
        {
            if (example.Logits[m] is { } z)
            {
                z.CopyTo(x, m * EmotionLabels.Count);
                x[LabelFusionMlp.InputWidth + m] = 1f;
            }
        }

        return x;
    }

    private static RobustnessRow Row(string condition, FusionModel model, MultinomialLogisticRegression concatenation, IReadOnlyList<FusionExample> examples)
    {
        var alpha = new double[ModalityAttention.ModalityCount];
        int fused = 0, average = 0, concat = 0;
        foreach (var e in examples)
        {
            var output = model.Fuse(e.Logits);
            for (var m = 0; m < alpha.Length; m++)
            {
                alpha[m] += output.Alpha[m] / examples.Count;
            }

            fused += output.Emotion == e.Label ? 1 : 0;
            average += AverageOfProbabilities(e) == e.Label ? 1 : 0;
            concat += Argmax(concatenation.Logits(Concatenate(e))) == e.Label ? 1 : 0;
        }

        double n = examples.Count;
        return new RobustnessRow(condition, fused / n, average / n, concat / n, alpha);
    }

    /// <summary>Per-class mean and standard deviation of each modality's logits over the training examples (label-blind).</summary>
    private static (float[] Mean, float[] Std)[] NoiseStatistics(IReadOnlyList<FusionExample> train) =>
        [.. Enumerable.Range(0, ModalityAttention.ModalityCount).Select(m =>
        {
            var rows = train.Select(e => e.Logits[m]).OfType<float[]>().ToArray();
            return rows.Length == 0 ? (new float[EmotionLabels.Count], Enumerable.Repeat(1f, EmotionLabels.Count).ToArray()) : Standardizer.Fit(rows);
        })];

    private static float[] Noise((float[] Mean, float[] Std) statistics, Random random) =>
        [.. Enumerable.Range(0, EmotionLabels.Count).Select(c => statistics.Mean[c] + (statistics.Std[c] * (float)Gaussian(random)))];

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());

    private static EmotionLabel Argmax(float[] logits) => (EmotionLabel)TensorPrimitives.IndexOfMax<float>(logits);
}
