namespace Emotion.Orleans.Training;

/// <summary>Group-aware splits (speaker-independent for RAVDESS, dialogue-independent for MELD).</summary>
public static class ItemSplits
{
    /// <summary>Puts every item whose <see cref="LabelledItem.Group"/> is in <paramref name="heldOutGroups"/> in the second part, order kept.</summary>
    /// <exception cref="ArgumentException">An item has no group.</exception>
    public static (IReadOnlyList<LabelledItem> Kept, IReadOnlyList<LabelledItem> HeldOut) ByGroup(IReadOnlyList<LabelledItem> items, IReadOnlySet<string> heldOutGroups)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(heldOutGroups);
        var kept = new List<LabelledItem>();
        var heldOut = new List<LabelledItem>();
        foreach (var item in items)
        {
            var group = item.Group ?? throw new ArgumentException($"Item {item.Id} has no group to split on.", nameof(items));
            (heldOutGroups.Contains(group) ? heldOut : kept).Add(item);
        }

        return (kept, heldOut);
    }

    /// <summary>
    /// Deterministically chooses <paramref name="count"/> of the distinct groups (seeded shuffle of the
    /// ordinally sorted group names) to hold out.
    /// </summary>
    public static IReadOnlySet<string> ChooseGroups(IReadOnlyList<LabelledItem> items, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(items);
        var groups = items.Select(i => i.Group).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToArray();
        if (count < 1 || count >= groups.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Hold out between 1 and {groups.Length - 1} of the {groups.Length} groups.");
        }

        new Random(seed).Shuffle(groups);
        return groups.Take(count).ToHashSet(StringComparer.Ordinal);
    }
}
