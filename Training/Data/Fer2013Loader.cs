using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>Which FER2013 duplicates to leave out.</summary>
/// <param name="DropCrossSplitCopies">Drop images with a byte-identical copy in another split (so no test image was seen in training).</param>
/// <param name="DropLabelConflicts">Drop images whose identical copies carry a different label.</param>
/// <param name="DropWithinSplitDuplicates">Keep only the first of byte-identical images inside this split (by md5).</param>
public sealed record Fer2013Filter(bool DropCrossSplitCopies = true, bool DropLabelConflicts = true, bool DropWithinSplitDuplicates = true)
{
    /// <summary>Keep every image.</summary>
    public static Fer2013Filter None { get; } = new(false, false, false);

    /// <summary>The clean-evaluation filter: all three on.</summary>
    public static Fer2013Filter Clean { get; } = new();
}

/// <summary>
/// Reads a FER2013 split folder: <c>&lt;label&gt;/&lt;file&gt;.jpg</c> with <c>labels.csv</c> (path, filename,
/// label_orig, label7, fer_usage, md5, identical_copies, identical_copy_in_other_split,
/// identical_copy_label_conflict). Without labels.csv the label is the folder name and no
/// duplicate filtering is possible.
/// </summary>
public static class Fer2013Loader
{
    /// <summary>Dataset name written into the items.</summary>
    public const string Dataset = "fer2013";

    /// <summary>Loads the split folder with the given filter (default: <see cref="Fer2013Filter.Clean"/>).</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FormatException">labels.csv lacks a column.</exception>
    public static LoadResult Load(string folder, Fer2013Filter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"FER2013 folder not found: {folder}");
        }

        folder = Path.GetFullPath(folder);
        filter ??= Fer2013Filter.Clean;
        var labels = Path.Combine(folder, "labels.csv");
        return File.Exists(labels) ? LoadLabels(folder, labels, filter) : LoadByFolder(folder);
    }

    private static LoadResult LoadLabels(string folder, string labels, Fer2013Filter filter)
    {
        var items = new List<LabelledItem>();
        var dropped = new Dictionary<string, int>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        HeaderMap? header = null;
        int path = 0, label7 = 0;
        int? md5 = null, otherSplit = null, conflict = null;
        foreach (var record in DelimitedReader.ReadFile(labels))
        {
            if (header is null)
            {
                header = new HeaderMap(record, labels);
                path = header.Require("path");
                label7 = header.Require("label7");
                md5 = header.Optional("md5");
                otherSplit = header.Optional("identical_copy_in_other_split");
                conflict = header.Optional("identical_copy_label_conflict");
                continue;
            }

            if (record.Length == 1 && record[0].Length == 0)
            {
                continue;
            }

            if (!EmotionLabels.TryParse(record[label7], out var label))
            {
                DropCounts.Add(dropped, "unknown label");
                continue;
            }

            if (filter.DropLabelConflicts && conflict is { } c && IsSet(record[c]))
            {
                DropCounts.Add(dropped, "identical copy with another label");
                continue;
            }

            if (filter.DropCrossSplitCopies && otherSplit is { } o && IsSet(record[o]))
            {
                DropCounts.Add(dropped, "identical copy in another split");
                continue;
            }

            if (filter.DropWithinSplitDuplicates && md5 is { } m && !seen.Add(record[m]))
            {
                DropCounts.Add(dropped, "duplicate within split");
                continue;
            }

            var file = Path.Combine(folder, record[path]);
            if (!File.Exists(file))
            {
                DropCounts.Add(dropped, "missing file");
                continue;
            }

            items.Add(new LabelledItem(Dataset, Path.GetFileName(file), Modality.Face, label, file));
        }

        return new LoadResult(items, dropped);
    }

    private static LoadResult LoadByFolder(string folder)
    {
        var items = new List<LabelledItem>();
        var dropped = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var dir in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            if (!EmotionLabels.TryParse(Path.GetFileName(dir), out var label))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(dir).Where(IsImage).Order(StringComparer.Ordinal))
            {
                items.Add(new LabelledItem(Dataset, Path.GetFileName(file), Modality.Face, label, file));
            }
        }

        return new LoadResult(items, dropped);
    }

    private static bool IsSet(string flag) => flag.Trim() is "1" or "true" or "True" or "TRUE";

    private static bool IsImage(string file) =>
        Path.GetExtension(file).ToUpperInvariant() is ".JPG" or ".JPEG" or ".PNG";
}
