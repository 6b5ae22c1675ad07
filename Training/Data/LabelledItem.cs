using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>One labelled example of one modality, as read from a dataset folder.</summary>
/// <param name="Dataset">Dataset name ("meld", "goemotions", "ravdess", "fer2013").</param>
/// <param name="Id">Identifier unique within the dataset split (row number, comment id, file name).</param>
/// <param name="Modality">Which modality the content feeds.</param>
/// <param name="Label">The label in the project's label space.</param>
/// <param name="Content">The utterance text for text items, the absolute file path for audio and images.</param>
/// <param name="Group">
/// Grouping key for group-aware splits and pairing: MELD dialogue id, RAVDESS actor id, null otherwise.
/// </param>
/// <param name="Speaker">Who said a MELD utterance (its Speaker column); null otherwise.</param>
public sealed record LabelledItem(string Dataset, string Id, Modality Modality, EmotionLabel Label, string Content, string? Group = null, string? Speaker = null);

/// <summary>What a loader read and what it left out, with the reason.</summary>
/// <param name="Items">The kept items, in file order.</param>
/// <param name="Dropped">Rows left out, counted by reason (empty when nothing was dropped).</param>
public sealed record LoadResult(IReadOnlyList<LabelledItem> Items, IReadOnlyDictionary<string, int> Dropped)
{
    /// <summary>Kept items per label, in label order.</summary>
    public int[] CountsPerLabel()
    {
        var counts = new int[EmotionLabels.Count];
        foreach (var item in Items)
        {
            counts[(int)item.Label]++;
        }

        return counts;
    }

    /// <summary>One line: total, per-label counts and dropped counts.</summary>
    public string Summary()
    {
        var perLabel = string.Join(", ", EmotionLabels.Names.Zip(CountsPerLabel(), (n, c) => $"{n} {c}"));
        var dropped = Dropped.Count == 0 ? "none" : string.Join(", ", Dropped.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key} {d.Value}"));
        return $"{Items.Count} items ({perLabel}); dropped: {dropped}";
    }
}
