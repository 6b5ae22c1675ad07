using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>Which branch of <see cref="GoEmotionsLabelRule"/> decided a row.</summary>
public enum GoEmotionsRuleBranch
{
    /// <summary>One label: kept as its Ekman group (or neutral).</summary>
    SingleLabel,

    /// <summary>Several labels, all in one Ekman group: kept as that group.</summary>
    AgreeingLabels,

    /// <summary>Neutral with labels of exactly one emotion group: kept as that group (when chosen).</summary>
    NeutralWithEmotionKept,

    /// <summary>Neutral with labels of exactly one emotion group: dropped (the default).</summary>
    NeutralWithEmotionDropped,

    /// <summary>Labels from two or more different emotion groups: dropped.</summary>
    ConflictingGroupsDropped,
}

/// <summary>
/// Turns a GoEmotions multi-label row into one project label. Each of the 27 emotions is mapped to
/// its Ekman group (ekman_mapping.json; "neutral" stays neutral), then:
/// <list type="number">
/// <item>all labels fall in one group (one label, or several that agree) → that group;</item>
/// <item>neutral together with exactly one emotion group → dropped by default, because the raters
/// disagreed on whether any emotion is present; with <c>neutralYieldsToEmotion</c> the emotion group is kept;</item>
/// <item>two or more different emotion groups (e.g. joy and sadness) → dropped: no single label is right.</item>
/// </list>
/// </summary>
public static class GoEmotionsLabelRule
{
    /// <summary>Applies the rule to the Ekman groups of one row's labels (duplicates allowed).</summary>
    /// <returns>The branch taken and the label, null when the row is dropped.</returns>
    /// <exception cref="ArgumentException">The row has no labels.</exception>
    public static (GoEmotionsRuleBranch Branch, EmotionLabel? Label) Apply(IReadOnlyCollection<EmotionLabel> groups, bool neutralYieldsToEmotion = false)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (groups.Count == 0)
        {
            throw new ArgumentException("A GoEmotions row has at least one label.", nameof(groups));
        }

        var distinct = groups.Distinct().ToArray();
        if (distinct.Length == 1)
        {
            return (groups.Count == 1 ? GoEmotionsRuleBranch.SingleLabel : GoEmotionsRuleBranch.AgreeingLabels, distinct[0]);
        }

        var emotions = distinct.Where(g => g != EmotionLabel.Neutral).ToArray();
        if (emotions.Length == 1)
        {
            return neutralYieldsToEmotion
                ? (GoEmotionsRuleBranch.NeutralWithEmotionKept, emotions[0])
                : (GoEmotionsRuleBranch.NeutralWithEmotionDropped, null);
        }

        return (GoEmotionsRuleBranch.ConflictingGroupsDropped, null);
    }
}
