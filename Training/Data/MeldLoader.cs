using System.Globalization;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>
/// Reads a MELD utterance CSV (<c>Sr No.,Utterance,Speaker,Emotion,…,Dialogue_ID,Utterance_ID,…</c>;
/// RFC 4180, CRLF, typographic punctuation kept as is). Item ids are MELD's clip names
/// <c>dia{Dialogue_ID}_utt{Utterance_ID}</c>, so aligned audio/video clips can be matched by id.
/// </summary>
public static class MeldLoader
{
    /// <summary>Dataset name written into the items.</summary>
    public const string Dataset = "meld";

    /// <summary>Loads <c>{split}_sent_emo.csv</c> from a MELD folder (split: train, dev, test).</summary>
    public static LoadResult LoadSplit(string folder, string split) => Load(Path.Combine(folder, $"{split}_sent_emo.csv"));

    /// <summary>Loads one MELD CSV file.</summary>
    /// <exception cref="FormatException">The header lacks a required column.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static LoadResult Load(string csvPath)
    {
        ArgumentNullException.ThrowIfNull(csvPath);
        if (!File.Exists(csvPath))
        {
            throw new FileNotFoundException($"MELD file not found: {csvPath}", csvPath);
        }

        var items = new List<LabelledItem>();
        var dropped = new Dictionary<string, int>(StringComparer.Ordinal);
        HeaderMap? header = null;
        int utterance = 0, emotion = 0, dialogue = 0, utteranceId = 0;
        int? speaker = null;
        foreach (var record in DelimitedReader.ReadFile(csvPath))
        {
            if (header is null)
            {
                header = new HeaderMap(record, csvPath);
                utterance = header.Require("Utterance");
                emotion = header.Require("Emotion");
                dialogue = header.Require("Dialogue_ID");
                utteranceId = header.Require("Utterance_ID");
                speaker = header.Optional("Speaker");
                continue;
            }

            if (record.Length == 1 && record[0].Length == 0)
            {
                continue;
            }

            if (record.Length < header.Width)
            {
                DropCounts.Add(dropped, "short row");
                continue;
            }

            if (!EmotionLabels.TryParse(record[emotion], out var label))
            {
                DropCounts.Add(dropped, "unknown emotion");
                continue;
            }

            var text = record[utterance].Trim();
            if (text.Length == 0)
            {
                DropCounts.Add(dropped, "empty utterance");
                continue;
            }

            var dia = int.Parse(record[dialogue], CultureInfo.InvariantCulture);
            var utt = int.Parse(record[utteranceId], CultureInfo.InvariantCulture);
            var who = speaker is { } s ? record[s].Trim() : "";
            items.Add(new LabelledItem(Dataset, $"dia{dia}_utt{utt}", Modality.Text, label, text, dia.ToString(CultureInfo.InvariantCulture), who.Length == 0 ? null : who));
        }

        return new LoadResult(items, dropped);
    }
}
