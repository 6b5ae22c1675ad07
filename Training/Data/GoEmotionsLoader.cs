using System.Globalization;
using System.Text.Json;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>A GoEmotions split after the single-label rule, with how many rows each rule branch decided.</summary>
/// <param name="Result">Kept items and drop counts (by rule branch).</param>
/// <param name="Branches">Rows per <see cref="GoEmotionsRuleBranch"/>, every branch listed.</param>
public sealed record GoEmotionsLoadResult(LoadResult Result, IReadOnlyDictionary<GoEmotionsRuleBranch, int> Branches);

/// <summary>
/// Reads a GoEmotions folder: <c>{split}.tsv</c> (no header, LF; text, comma-separated label ids,
/// comment id; text may be quoted with doubled quotes), <c>emotions.txt</c> (id → name) and
/// <c>ekman_mapping.json</c> (Ekman group → emotion names), and converts rows to one label with
/// <see cref="GoEmotionsLabelRule"/>.
/// </summary>
public static class GoEmotionsLoader
{
    /// <summary>Dataset name written into the items.</summary>
    public const string Dataset = "goemotions";

    /// <summary>Loads one split (train, dev, test).</summary>
    /// <exception cref="FileNotFoundException">A file of the folder is missing.</exception>
    /// <exception cref="FormatException">A row or the mapping is malformed.</exception>
    public static GoEmotionsLoadResult Load(string folder, string split, bool neutralYieldsToEmotion = false)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(split);
        var groups = ReadGroups(folder);
        var tsv = Path.Combine(folder, $"{split}.tsv");
        if (!File.Exists(tsv))
        {
            throw new FileNotFoundException($"GoEmotions split not found: {tsv}", tsv);
        }

        var items = new List<LabelledItem>();
        var dropped = new Dictionary<string, int>(StringComparer.Ordinal);
        var branches = Enum.GetValues<GoEmotionsRuleBranch>().ToDictionary(b => b, _ => 0);
        var row = 0;
        foreach (var record in DelimitedReader.ReadFile(tsv, '\t'))
        {
            row++;
            if (record.Length == 1 && record[0].Length == 0)
            {
                continue;
            }

            if (record.Length < 3)
            {
                throw new FormatException($"{tsv} row {row}: expected text, label ids and comment id.");
            }

            var ids = record[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (ids.Length == 0)
            {
                throw new FormatException($"{tsv} row {row}: no label ids.");
            }

            var rowGroups = new List<EmotionLabel>(ids.Length);
            foreach (var id in ids)
            {
                var index = int.Parse(id, CultureInfo.InvariantCulture);
                if (index < 0 || index >= groups.Count)
                {
                    throw new FormatException($"{tsv} row {row}: label id {index} is outside emotions.txt (0–{groups.Count - 1}).");
                }

                rowGroups.Add(groups[index]);
            }

            var (branch, label) = GoEmotionsLabelRule.Apply(rowGroups, neutralYieldsToEmotion);
            branches[branch]++;
            if (label is { } kept)
            {
                items.Add(new LabelledItem(Dataset, record[2], Modality.Text, kept, record[0].Trim()));
            }
            else
            {
                DropCounts.Add(dropped, branch.ToString());
            }
        }

        return new GoEmotionsLoadResult(new LoadResult(items, dropped), branches);
    }

    /// <summary>The Ekman group (or neutral) of each emotion id, read from emotions.txt and ekman_mapping.json.</summary>
    /// <exception cref="FormatException">An emotion is in no group, or a group name is not a project label.</exception>
    public static IReadOnlyList<EmotionLabel> ReadGroups(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var names = File.ReadAllLines(Path.Combine(folder, "emotions.txt")).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        Dictionary<string, string[]> mapping;
        using (var stream = File.OpenRead(Path.Combine(folder, "ekman_mapping.json")))
        {
            mapping = JsonSerializer.Deserialize<Dictionary<string, string[]>>(stream)
                ?? throw new FormatException("ekman_mapping.json is empty.");
        }

        var groupOf = new Dictionary<string, EmotionLabel>(StringComparer.OrdinalIgnoreCase) { ["neutral"] = EmotionLabel.Neutral };
        foreach (var (group, members) in mapping)
        {
            var label = EmotionLabels.Parse(group);
            foreach (var member in members)
            {
                groupOf[member.Trim()] = label;
            }
        }

        return [.. names.Select(n => groupOf.TryGetValue(n, out var g) ? g : throw new FormatException($"GoEmotions emotion '{n}' is in no Ekman group."))];
    }
}
