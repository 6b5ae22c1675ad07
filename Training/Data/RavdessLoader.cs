using System.Globalization;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>The fields of a RAVDESS file name <c>MM-VV-EE-II-SS-RR-AA.wav</c>.</summary>
/// <param name="ModalityCode">01 audio-video, 02 video only, 03 audio only.</param>
/// <param name="VocalChannel">01 speech, 02 song.</param>
/// <param name="EmotionCode">01 neutral … 08 surprised.</param>
/// <param name="Intensity">01 normal, 02 strong.</param>
/// <param name="Statement">01 or 02.</param>
/// <param name="Repetition">01 or 02.</param>
/// <param name="Actor">01–24 (odd male, even female).</param>
public sealed record RavdessFileName(int ModalityCode, int VocalChannel, int EmotionCode, int Intensity, int Statement, int Repetition, int Actor)
{
    /// <summary>The project label (calm counts as neutral).</summary>
    public EmotionLabel Label => EmotionLabels.FromRavdessCode(EmotionCode);

    /// <summary>Parses a file name (with or without folder and extension).</summary>
    /// <exception cref="FormatException">The name does not have seven two-digit fields or the emotion code is outside 01–08.</exception>
    public static RavdessFileName Parse(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var parts = Path.GetFileNameWithoutExtension(fileName).Split('-');
        if (parts.Length != 7 || parts.Any(p => p.Length != 2 || !p.All(char.IsAsciiDigit)))
        {
            throw new FormatException($"'{fileName}' is not a RAVDESS file name (MM-VV-EE-II-SS-RR-AA).");
        }

        var f = parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        var name = new RavdessFileName(f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
        _ = name.Label;
        return name;
    }
}

/// <summary>
/// Reads a RAVDESS folder: <c>labels.csv</c> (path, filename, emotion_orig, emotion7, …, actor)
/// with the WAV files under it; without labels.csv every <c>Actor_*/*.wav</c> is taken and labelled
/// from its file name. The label is checked against the file-name code; the group is the actor id.
/// </summary>
public static class RavdessLoader
{
    /// <summary>Dataset name written into the items.</summary>
    public const string Dataset = "ravdess";

    /// <summary>Loads the folder.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FormatException">labels.csv lacks a column.</exception>
    public static LoadResult Load(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"RAVDESS folder not found: {folder}");
        }

        folder = Path.GetFullPath(folder);
        var labels = Path.Combine(folder, "labels.csv");
        return File.Exists(labels) ? LoadLabels(folder, labels) : LoadByFileName(folder);
    }

    private static LoadResult LoadLabels(string folder, string labels)
    {
        var items = new List<LabelledItem>();
        var dropped = new Dictionary<string, int>(StringComparer.Ordinal);
        HeaderMap? header = null;
        int path = 0, emotion = 0;
        foreach (var record in DelimitedReader.ReadFile(labels))
        {
            if (header is null)
            {
                header = new HeaderMap(record, labels);
                path = header.Require("path");
                emotion = header.Require("emotion7");
                continue;
            }

            if (record.Length == 1 && record[0].Length == 0)
            {
                continue;
            }

            var file = Path.Combine(folder, record[path]);
            RavdessFileName name;
            try
            {
                name = RavdessFileName.Parse(file);
            }
            catch (FormatException)
            {
                DropCounts.Add(dropped, "unparsable file name");
                continue;
            }

            if (!EmotionLabels.TryParse(record[emotion], out var label) || label != name.Label)
            {
                DropCounts.Add(dropped, "label disagrees with file name");
                continue;
            }

            if (!File.Exists(file))
            {
                DropCounts.Add(dropped, "missing file");
                continue;
            }

            items.Add(Item(file, name));
        }

        return new LoadResult(items, dropped);
    }

    private static LoadResult LoadByFileName(string folder)
    {
        var items = new List<LabelledItem>();
        var dropped = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(folder, "*.wav", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try
            {
                items.Add(Item(file, RavdessFileName.Parse(file)));
            }
            catch (FormatException)
            {
                DropCounts.Add(dropped, "unparsable file name");
            }
        }

        return new LoadResult(items, dropped);
    }

    private static LabelledItem Item(string file, RavdessFileName name) =>
        new(Dataset, Path.GetFileName(file), Modality.Speech, name.Label, file, name.Actor.ToString("D2", CultureInfo.InvariantCulture));
}
