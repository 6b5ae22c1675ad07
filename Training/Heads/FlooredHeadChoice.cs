using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>
/// Whether the text head with recall floors ships instead of the plain LR. It ships when it has the
/// better macro-F1, or when it keeps the weighted- and macro-F1 targets and raises the lowest recall of
/// the floored classes: those classes (an angry, sad or frightened caller) are what an agent must not
/// miss, and the plain LR carries no floors, so a macro-F1 difference of a few thousandths should not
/// decide against them.
/// </summary>
public static class FlooredHeadChoice
{
    /// <summary>Decides on the dev reports of both heads.</summary>
    /// <param name="floored">The floored head's report.</param>
    /// <param name="linear">The plain LR's report.</param>
    /// <param name="floors">The floored classes.</param>
    /// <param name="minWeightedF1">Weighted-F1 the floored head must keep.</param>
    /// <param name="minMacroF1">Macro-F1 the floored head must keep.</param>
    public static bool Ships(ClassificationReport floored, ClassificationReport linear, IReadOnlyDictionary<EmotionLabel, double> floors, double minWeightedF1, double minMacroF1)
    {
        ArgumentNullException.ThrowIfNull(floored);
        ArgumentNullException.ThrowIfNull(linear);
        ArgumentNullException.ThrowIfNull(floors);
        if (floored.MacroAverage.F1 > linear.MacroAverage.F1)
        {
            return true;
        }

        return floors.Count > 0
            && floored.WeightedAverage.F1 >= minWeightedF1
            && floored.MacroAverage.F1 >= minMacroF1
            && LowestRecall(floored, floors) > LowestRecall(linear, floors);
    }

    /// <summary>The lowest recall among the floored classes.</summary>
    public static double LowestRecall(ClassificationReport report, IReadOnlyDictionary<EmotionLabel, double> floors)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(floors);
        return floors.Keys.Min(c => report.PerClass[(int)c].Recall);
    }
}
