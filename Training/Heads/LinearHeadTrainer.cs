using System.Numerics.Tensors;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>A set of encoder features a linear head may read.</summary>
/// <param name="Name">e.g. "MFCC statistics", "all".</param>
/// <param name="Indices">Feature indices into the encoder output.</param>
/// <param name="Weights">
/// Scale of each standardised feature (null: 1). A weight w below 1 multiplies the ridge penalty
/// on that feature by 1/w², so a block of weaker evidence (e.g. dialogue context) is shrunk harder.
/// </param>
public sealed record FeatureSet(string Name, int[] Indices, float[]? Weights = null);

/// <summary>Options of <see cref="LinearHeadTrainer"/>: the grid searched and the fitting budget.</summary>
/// <param name="L2">Ridge strengths μ tried.</param>
/// <param name="ClassWeightPowers">Powers p of the balanced class weights (n / (K n_c))^p tried: 0 unweighted, 1 fully balanced.</param>
/// <param name="MaxIterations">FISTA steps per fit.</param>
/// <param name="Criterion">Scores a candidate on the selection split (higher is better).</param>
public sealed record LinearHeadOptions(float[] L2, float[] ClassWeightPowers, int MaxIterations, Func<ClassificationReport, double> Criterion)
{
    /// <summary>Stop a fit when no weight moves more than this in one step.</summary>
    public float Tolerance { get; init; } = 1e-4f;
}

/// <summary>One fitted candidate and its report on the selection split.</summary>
/// <param name="Features">Feature set read.</param>
/// <param name="L2">Ridge strength.</param>
/// <param name="ClassWeightPower">Class-weight power.</param>
/// <param name="Score">The criterion's value.</param>
/// <param name="Report">Report on the selection split.</param>
public sealed record LinearCandidate(string Features, float L2, float ClassWeightPower, double Score, ClassificationReport Report);

/// <summary>The chosen linear head.</summary>
/// <param name="Head">Standardised selection → W x + b, divided by the temperature.</param>
/// <param name="Chosen">The chosen candidate (its report is before temperature, which does not change argmax).</param>
/// <param name="Temperature">Temperature fitted on the selection split's log loss.</param>
/// <param name="LogLossBefore">Selection split's mean log loss at temperature 1.</param>
/// <param name="LogLossAfter">Selection split's mean log loss at the fitted temperature.</param>
/// <param name="Candidates">Every candidate tried, in order.</param>
public sealed record LinearHeadResult(ModalityHead Head, LinearCandidate Chosen, float Temperature, double LogLossBefore, double LogLossAfter, IReadOnlyList<LinearCandidate> Candidates);

/// <summary>
/// A class-balanced multinomial logistic-regression head (no hidden layer) on standardised
/// features: a grid of feature sets × ridge strengths × class-weight powers, each fitted on
/// <c>train</c> and scored on <c>selection</c>; the best gets a temperature fitted on
/// <c>selection</c>'s log loss, folded into its weights so the head's logits are calibrated.
/// </summary>
public static class LinearHeadTrainer
{
    /// <summary>Fits the grid and returns the best head.</summary>
    /// <exception cref="ArgumentException">A split is empty or there is no candidate.</exception>
    public static LinearHeadResult Train(LabelledFeatures train, LabelledFeatures selection, IReadOnlyList<FeatureSet> featureSets, LinearHeadOptions options, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(featureSets);
        ArgumentNullException.ThrowIfNull(options);
        if (train.Count == 0 || selection.Count == 0 || featureSets.Count == 0 || options.L2.Length == 0 || options.ClassWeightPowers.Length == 0)
        {
            throw new ArgumentException("Linear head training needs examples in both splits and at least one candidate.");
        }

        var balanced = train.BalancedClassWeights();
        var candidates = new List<LinearCandidate>();
        (LinearCandidate Candidate, MultinomialLogisticRegression Model, FeatureSelection Selection, float[][] X)? best = null;
        foreach (var set in featureSets)
        {
            var standardise = Standardizer.Selection(train.Features, set.Indices);
            if (set.Weights is { } w)
            {
                var order = set.Indices.Select((index, k) => (index, k)).ToDictionary(p => p.index, p => w[p.k]);
                standardise = new FeatureSelection(standardise.Indices, standardise.Mean, [.. standardise.Indices.Select((index, k) => standardise.Scale[k] / order[index])]);
            }

            var x = Standardizer.Apply(standardise, train.Features);
            var xs = Standardizer.Apply(standardise, selection.Features);
            foreach (var power in options.ClassWeightPowers)
            {
                var weights = balanced.Select(w => w > 0 ? MathF.Pow(w, power) : 0f).ToArray();
                MultinomialLogisticRegression? warm = null;
                // Strongest ridge first: each fit warm-starts the next, weaker one.
                foreach (var l2 in options.L2.OrderDescending())
                {
                    var model = MultinomialLogisticRegression.Fit(x, train.Labels, new LogisticOptions(L2: l2, MaxIterations: options.MaxIterations, Tolerance: options.Tolerance, ClassWeights: weights), warm);
                    warm = model;
                    var report = ClassificationReport.From(selection.Labels, [.. xs.Select(r => (EmotionLabel)TensorPrimitives.IndexOfMax<float>(model.Logits(r)))]);
                    var candidate = new LinearCandidate(set.Name, l2, power, options.Criterion(report), report);
                    candidates.Add(candidate);
                    log?.WriteLine(FormattableString.Invariant($"    {set.Name,-24} μ={l2,-8:G3} p={power:0.00}: acc {report.Accuracy:F4} macro-F1 {report.MacroAverage.F1:F4} weighted-F1 {report.WeightedAverage.F1:F4}"));
                    if (best is null || candidate.Score > best.Value.Candidate.Score)
                    {
                        best = (candidate, model, standardise, xs);
                    }
                }
            }
        }

        var (chosen, fitted, kept, selectionX) = best!.Value;
        var logits = selectionX.Select(r => fitted.Logits(r)).ToArray();
        var (temperature, before, after) = Temperature.Fit(logits, selection.Labels);
        var classifier = new DenseLayer(fitted.Width, EmotionLabels.Count, [.. fitted.Weights.Select(w => w / temperature)], [.. fitted.Bias.Select(b => b / temperature)]);
        return new LinearHeadResult(new ModalityHead(train.Width, kept, null, classifier), chosen, temperature, before, after, candidates);
    }
}

/// <summary>Temperature scaling: the T minimising the mean log loss of softmax(z / T).</summary>
public static class Temperature
{
    /// <summary>Fits T by golden-section search on log T in [1/20, 20].</summary>
    /// <returns>T and the mean log loss at 1 and at T.</returns>
    /// <exception cref="ArgumentException">Lengths differ or there is nothing to fit.</exception>
    public static (float Temperature, double LogLossBefore, double LogLossAfter) Fit(IReadOnlyList<float[]> logits, IReadOnlyList<EmotionLabel> labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        if (logits.Count == 0 || logits.Count != labels.Count)
        {
            throw new ArgumentException("Temperature fitting needs one label per logit vector and at least one.", nameof(labels));
        }

        double Loss(double logT) => LogLoss(logits, labels, (float)Math.Exp(logT));
        double a = Math.Log(0.05), b = Math.Log(20);
        var ratio = (Math.Sqrt(5) - 1) / 2;
        double c = b - (ratio * (b - a)), d = a + (ratio * (b - a));
        double fc = Loss(c), fd = Loss(d);
        for (var i = 0; i < 60; i++)
        {
            if (fc < fd)
            {
                b = d;
                d = c;
                fd = fc;
                c = b - (ratio * (b - a));
                fc = Loss(c);
            }
            else
            {
                a = c;
                c = d;
                fc = fd;
                d = a + (ratio * (b - a));
                fd = Loss(d);
            }
        }

        var t = (float)Math.Exp((a + b) / 2);
        return (t, LogLoss(logits, labels, 1f), LogLoss(logits, labels, t));
    }

    /// <summary>Mean −log softmax(z / T)[y].</summary>
    public static double LogLoss(IReadOnlyList<float[]> logits, IReadOnlyList<EmotionLabel> labels, float temperature)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        var total = 0.0;
        for (var i = 0; i < logits.Count; i++)
        {
            var z = logits[i];
            var max = z.Max() / temperature;
            var sum = z.Sum(v => Math.Exp((v / temperature) - max));
            total += -((z[(int)labels[i]] / temperature) - max - Math.Log(sum));
        }

        return total / logits.Count;
    }
}
