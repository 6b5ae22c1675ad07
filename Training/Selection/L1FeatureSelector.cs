using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>Options of <see cref="L1FeatureSelector"/>.</summary>
/// <param name="PathLength">Number of λ values on the path, geometric from λ_max down to λ_max·<paramref name="PathRatio"/>.</param>
/// <param name="PathRatio">Smallest λ as a fraction of λ_max (the smallest λ that keeps no feature).</param>
/// <param name="LossTolerance">
/// The sparsest λ whose validation log-loss is within this relative margin of the best is chosen
/// (a "one standard error"-style rule: fewer features for a negligible loss).
/// </param>
/// <param name="FixedL1">When set, skips the path and fits this λ only (no validation split needed).</param>
/// <param name="BalancedClasses">Weight the loss by inverse class frequency.</param>
/// <param name="MaxIterations">Proximal-gradient steps per λ.</param>
/// <param name="Relaxed">
/// Score each λ by the "relaxed lasso": refit the kept features with only a small ridge penalty and
/// take that refit's validation loss. The plain lasso's shrinkage of the true weights makes its loss
/// keep falling as λ drops and noise features enter; the refit separates "which features" from
/// "how much shrinkage".
/// </param>
public sealed record L1SelectionOptions(
    int PathLength = 12,
    float PathRatio = 0.01f,
    float LossTolerance = 0.01f,
    float? FixedL1 = null,
    bool BalancedClasses = false,
    int MaxIterations = 300,
    bool Relaxed = true);

/// <summary>One point of the regularisation path.</summary>
/// <param name="L1">λ.</param>
/// <param name="Kept">Features with a non-zero weight row.</param>
/// <param name="ValidationLogLoss">Mean cross-entropy on the validation split (NaN without one).</param>
/// <param name="ValidationAccuracy">Accuracy on the validation split (NaN without one).</param>
/// <param name="Iterations">Steps the fit took.</param>
public sealed record L1PathPoint(float L1, int Kept, double ValidationLogLoss, double ValidationAccuracy, int Iterations);

/// <summary>What the L1 selection chose.</summary>
/// <param name="Selection">Kept features (non-zero weight rows at the chosen λ) with train mean and scale.</param>
/// <param name="ChosenL1">The chosen λ.</param>
/// <param name="Path">Every λ tried, from strongest to weakest.</param>
public sealed record L1SelectionResult(FeatureSelection Selection, float ChosenL1, IReadOnlyList<L1PathPoint> Path);

/// <summary>
/// Feature selection for text features: L1-regularised multinomial logistic regression on the
/// standardised features; a feature is kept when its weight row (over the seven classes) is not all
/// zero. λ is chosen on a validation split along a warm-started path from λ_max.
/// </summary>
public static class L1FeatureSelector
{
    /// <summary>Small ridge on the relaxed refit, so separable classes do not send weights to infinity.</summary>
    private const float RefitRidge = 1e-3f;

    /// <summary>Runs the selection. <paramref name="validation"/> may be null only with <see cref="L1SelectionOptions.FixedL1"/>.</summary>
    /// <exception cref="ArgumentException">No validation split and no fixed λ, or widths disagree.</exception>
    /// <exception cref="InvalidOperationException">A fixed λ so strong that no feature survives.</exception>
    public static L1SelectionResult Select(LabelledFeatures train, LabelledFeatures? validation, L1SelectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options ??= new L1SelectionOptions();
        if (validation is null && options.FixedL1 is null)
        {
            throw new ArgumentException("Choosing λ needs a validation split (or set FixedL1).", nameof(validation));
        }

        if (validation is not null && validation.Width != train.Width)
        {
            throw new ArgumentException($"Validation vectors have {validation.Width} features, train {train.Width}.", nameof(validation));
        }

        var all = Enumerable.Range(0, train.Width).ToArray();
        var standardise = Standardizer.Selection(train.Features, all);
        var x = Standardizer.Apply(standardise, train.Features);
        var xv = validation is null ? null : Standardizer.Apply(standardise, validation.Features);
        var classWeights = options.BalancedClasses ? train.BalancedClassWeights() : null;

        var lambdas = options.FixedL1 is { } fixedL1
            ? [fixedL1]
            : LambdaPath(x, train.Labels, classWeights, options.PathLength, options.PathRatio);

        var path = new List<L1PathPoint>();
        var fits = new List<MultinomialLogisticRegression>();
        MultinomialLogisticRegression? previous = null;
        foreach (var lambda in lambdas)
        {
            var fit = MultinomialLogisticRegression.Fit(x, train.Labels, new LogisticOptions(L1: lambda, MaxIterations: options.MaxIterations, ClassWeights: classWeights), previous);
            previous = fit;
            fits.Add(fit);
            var support = fit.NonZeroFeatures();
            var (logLoss, accuracy) = (double.NaN, double.NaN);
            if (xv is not null && support.Length > 0)
            {
                (logLoss, accuracy) = options.Relaxed
                    ? ScoreRefit(x, train.Labels, xv, validation!.Labels, support, classWeights, options.MaxIterations)
                    : Score(fit, xv, validation!.Labels);
            }

            path.Add(new L1PathPoint(lambda, support.Length, logLoss, accuracy, fit.Iterations));
        }

        var chosen = Choose(path, options.LossTolerance);
        var kept = fits[chosen].NonZeroFeatures();
        if (kept.Length == 0)
        {
            throw new InvalidOperationException($"λ = {lambdas[chosen]} is at or above λ_max: no feature is kept. Use a smaller L1 strength.");
        }

        return new L1SelectionResult(Standardizer.Selection(train.Features, kept), lambdas[chosen], path);
    }

    /// <summary>
    /// The sparsest path point within the tolerance of the best validation loss; the last point when
    /// nothing was scored (a fixed λ, or no validation split). Points that kept no feature are never
    /// scored, so a path whose first λ keeps nothing is still chosen from its scored points.
    /// </summary>
    internal static int Choose(IReadOnlyList<L1PathPoint> path, float tolerance)
    {
        if (path.Count == 1 || path.All(p => p.Kept == 0 || double.IsNaN(p.ValidationLogLoss)))
        {
            return path.Count - 1;
        }

        var best = path.Where(p => p.Kept > 0 && !double.IsNaN(p.ValidationLogLoss)).Min(p => p.ValidationLogLoss);
        for (var i = 0; i < path.Count; i++)
        {
            if (path[i].Kept > 0 && path[i].ValidationLogLoss <= best * (1 + tolerance))
            {
                return i;
            }
        }

        return path.Count - 1;
    }

    /// <summary>λ_max = the largest |∂loss/∂W| at W = 0 with the intercept at its optimum (log priors); below it features enter.</summary>
    private static float[] LambdaPath(float[][] x, IReadOnlyList<EmotionLabel> y, float[]? classWeights, int length, float ratio)
    {
        var n = x.Length;
        var d = x[0].Length;
        var weight = new double[n];
        var prior = new double[EmotionLabels.Count];
        for (var i = 0; i < n; i++)
        {
            weight[i] = classWeights?[(int)y[i]] ?? 1.0;
            prior[(int)y[i]] += weight[i];
        }

        var total = weight.Sum();
        var gradient = new double[EmotionLabels.Count * d];
        for (var i = 0; i < n; i++)
        {
            for (var c = 0; c < EmotionLabels.Count; c++)
            {
                var residual = ((prior[c] / total) - ((int)y[i] == c ? 1.0 : 0.0)) * weight[i] / total;
                for (var j = 0; j < d; j++)
                {
                    gradient[(c * d) + j] += residual * x[i][j];
                }
            }
        }

        var lambdaMax = gradient.Max(Math.Abs);
        var lambdas = new float[Math.Max(2, length)];
        for (var k = 0; k < lambdas.Length; k++)
        {
            // Start just below λ_max so the first fit already keeps a feature or two.
            lambdas[k] = (float)(lambdaMax * 0.95 * Math.Pow(ratio, k / (double)(lambdas.Length - 1)));
        }

        return lambdas;
    }

    private static (double LogLoss, double Accuracy) ScoreRefit(
        float[][] x, IReadOnlyList<EmotionLabel> y, float[][] xv, IReadOnlyList<EmotionLabel> yv, int[] support, float[]? classWeights, int maxIterations)
    {
        static float[][] Columns(float[][] rows, int[] columns) => [.. rows.Select(r => columns.Select(j => r[j]).ToArray())];
        var refit = MultinomialLogisticRegression.Fit(Columns(x, support), y, new LogisticOptions(L2: RefitRidge, MaxIterations: maxIterations, ClassWeights: classWeights));
        return Score(refit, Columns(xv, support), yv);
    }

    private static (double LogLoss, double Accuracy) Score(MultinomialLogisticRegression model, float[][] x, IReadOnlyList<EmotionLabel> y)
    {
        var loss = 0.0;
        var correct = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var p = Softmax.Apply(model.Logits(x[i]));
            loss -= Math.Log(Math.Max(p[(int)y[i]], 1e-12));
            correct += Array.IndexOf(p, p.Max()) == (int)y[i] ? 1 : 0;
        }

        return (loss / x.Length, correct / (double)x.Length);
    }
}
