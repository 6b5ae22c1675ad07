namespace Emotion.Orleans.Training;

/// <summary>How a head's features were selected.</summary>
public enum SelectionMethod
{
    /// <summary>L1-regularised multinomial logistic regression (text).</summary>
    L1Logistic,

    /// <summary>Gradient-boosted tree gain importance (speech, face).</summary>
    TreeImportance,

    /// <summary>Every feature kept (standardised only).</summary>
    All,
}

/// <summary>A trained head with its selection details and its report on the evaluation split.</summary>
/// <param name="Training">The head and its epoch history.</param>
/// <param name="Method">How features were selected.</param>
/// <param name="MethodName">Name written into the bundle ("l1-logistic", "tree-importance", "all").</param>
/// <param name="L1">The L1 path and chosen λ (L1 only).</param>
/// <param name="Trees">The tree importances (tree selection only).</param>
/// <param name="Evaluation">Report of the head on the evaluation split.</param>
public sealed record TrainedHead(HeadTrainingResult Training, SelectionMethod Method, string MethodName, L1SelectionResult? L1, TreeSelectionResult? Trees, ClassificationReport Evaluation);

/// <summary>
/// Selection + head training for one modality in one call. The selection's λ choice and the head's
/// early stopping use a stratified validation part of <c>train</c> (<c>validationFraction</c>),
/// so the evaluation split is only used for the final report. Mean and scale are fitted on all of
/// <c>train</c>.
/// </summary>
public static class HeadPipeline
{
    /// <summary>Selects features, trains the head and evaluates it.</summary>
    /// <param name="train">Training features and labels.</param>
    /// <param name="evaluation">Evaluation split (reported only).</param>
    /// <param name="method">Selection method.</param>
    /// <param name="head">Head options (null: defaults).</param>
    /// <param name="l1">L1 options (null: defaults).</param>
    /// <param name="trees">Tree options (null: defaults).</param>
    /// <param name="validationFraction">Share of <paramref name="train"/> held out for λ choice and early stopping.</param>
    /// <param name="seed">Seeds the validation split (the option records carry their own seeds).</param>
    /// <param name="maxSelectionExamples">
    /// Fit the selection on at most this many training examples (a seeded stratified subsample; null:
    /// all). The head still trains on all of them; this bounds the selection's cost on large sets.
    /// </param>
    public static TrainedHead Train(
        LabelledFeatures train,
        LabelledFeatures evaluation,
        SelectionMethod method,
        HeadTrainingOptions? head = null,
        L1SelectionOptions? l1 = null,
        TreeSelectionOptions? trees = null,
        double validationFraction = 0.15,
        int seed = 1,
        int? maxSelectionExamples = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(evaluation);
        var (fit, validation) = train.StratifiedSplit(validationFraction, seed);
        var selectionFit = maxSelectionExamples is { } most && most < fit.Count
            ? fit.StratifiedSplit(most / (double)fit.Count, seed).Second
            : fit;
        var selectionValidation = maxSelectionExamples is { } mostValidation && mostValidation < validation.Count
            ? validation.StratifiedSplit(mostValidation / (double)validation.Count, seed).Second
            : validation;
        L1SelectionResult? l1Result = null;
        TreeSelectionResult? treeResult = null;
        int[] indices;
        string name;
        switch (method)
        {
            case SelectionMethod.L1Logistic:
                l1Result = L1FeatureSelector.Select(selectionFit, selectionValidation, l1);
                indices = l1Result.Selection.Indices;
                name = "l1-logistic";
                break;
            case SelectionMethod.TreeImportance:
                treeResult = TreeImportanceSelector.Select(selectionFit, trees);
                indices = treeResult.Selection.Indices;
                name = "tree-importance";
                break;
            case SelectionMethod.All:
                indices = [.. Enumerable.Range(0, train.Width)];
                name = "all";
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown selection method.");
        }

        var selection = Standardizer.Selection(train.Features, indices);
        var result = HeadTrainer.Train(fit, validation, selection, head);
        return new TrainedHead(result, method, name, l1Result, treeResult, HeadEvaluation.Report(result.Head, evaluation));
    }
}
