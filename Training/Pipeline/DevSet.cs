using System.Globalization;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>Seeded subsampling and the fixed speaker split shared by the train and evaluate commands.</summary>
internal static class DataSplits
{
    /// <summary>RAVDESS actors the speech CNN and the speech head are trained on; every other actor is evaluation data.</summary>
    public static readonly IReadOnlySet<string> SpeechTrainingActors =
        Enumerable.Range(1, 16).Select(a => a.ToString("D2", CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);

    /// <summary>At most <paramref name="cap"/> items, a seeded random choice kept in file order (all when cap is null).</summary>
    public static IReadOnlyList<LabelledItem> Sample(IReadOnlyList<LabelledItem> items, int? cap, int seed)
    {
        if (cap is not { } n || n >= items.Count)
        {
            return items;
        }

        var order = Enumerable.Range(0, items.Count).ToArray();
        new Random(seed).Shuffle(order);
        return [.. order.Take(n).Order().Select(i => items[i])];
    }

    /// <summary>Text describing a (possibly subsampled) split.</summary>
    public static string Describe(string name, int kept, int available) =>
        kept == available
            ? string.Create(CultureInfo.InvariantCulture, $"{name}: {kept} items")
            : string.Create(CultureInfo.InvariantCulture, $"{name}: {kept} of {available} items (seeded random subsample)");
}

/// <summary>One labelled evaluation split of one dataset with its encoder features.</summary>
/// <param name="Name">e.g. "MELD dev".</param>
/// <param name="Items">The items.</param>
/// <param name="Features">Encoder features, one row per item.</param>
internal sealed record DevSplit(string Name, IReadOnlyList<LabelledItem> Items, float[][] Features)
{
    public EmotionLabel[] Labels => [.. Items.Select(i => i.Label)];

    /// <summary>Text: the features with dialogue context (<see cref="MeldContext"/>); speech: [MFCC statistics; CNN embedding].</summary>
    public float[][]? Extended { get; init; }

    /// <summary>Grouping key of each item (speaker for RAVDESS).</summary>
    public string[] Groups => [.. Items.Select(i => i.Group ?? i.Id)];
}

/// <summary>
/// The evaluation splits of a datasets folder (any folder in the shared formats; missing datasets
/// are skipped): MELD <c>{split}_sent_emo.csv</c>, GoEmotions <c>{split}.tsv</c>, every RAVDESS
/// actor outside the training actors 1–16, and FER2013 <c>{split}/</c> (cleaned), with features
/// through the real encoders. Labels are read only to score.
/// </summary>
internal sealed class DevSet
{
    public DevSplit? Meld { get; private init; }

    public DevSplit? GoEmotions { get; private init; }

    public DevSplit? Ravdess { get; private init; }

    public DevSplit? Fer { get; private init; }

    /// <summary>The pretrained FER2013 expression model's probabilities on <see cref="Fer"/>'s images.</summary>
    public float[][]? FerExpression { get; private init; }

    public List<string> Description { get; } = [];

    public static DevSet Load(string root, string split, int? cap, int seed, FeatureExtractor encoders, TextWriter log)
    {
        var description = new List<string>();
        IReadOnlyList<LabelledItem>? Take(string name, IReadOnlyList<LabelledItem>? items)
        {
            if (items is null || items.Count == 0)
            {
                return null;
            }

            var kept = DataSplits.Sample(items, cap, seed);
            description.Add(DataSplits.Describe(name, kept.Count, items.Count));
            return kept;
        }

        var meldFile = Path.Combine(root, "meld", $"{split}_sent_emo.csv");
        var meld = Take($"MELD {split}", File.Exists(meldFile) ? MeldLoader.Load(meldFile).Items : null);
        var goFile = Path.Combine(root, "goemotions", $"{split}.tsv");
        var go = Take($"GoEmotions {split}", File.Exists(goFile) ? GoEmotionsLoader.Load(Path.Combine(root, "goemotions"), split).Result.Items : null);
        var ravdessFolder = Path.Combine(root, "ravdess");
        var ravdess = Take(
            "RAVDESS actors outside 1–16",
            File.Exists(Path.Combine(ravdessFolder, "labels.csv")) ? RavdessLoader.Load(ravdessFolder).Items.Where(i => !DataSplits.SpeechTrainingActors.Contains(i.Group!)).ToArray() : null);
        var ferFolder = Path.Combine(root, "fer2013", split);
        var fer = Take($"FER2013 {split} (cleaned)", Directory.Exists(ferFolder) ? Fer2013Loader.Load(ferFolder).Items : null);

        log.WriteLine("evaluation data: " + string.Join("; ", description));
        var set = new DevSet
        {
            Meld = meld is null ? null : TextSplit($"MELD {split}", meld, encoders.Text($"text-meld-{split}", meld)),
            GoEmotions = go is null ? null : TextSplit($"GoEmotions {split}", go, encoders.Text($"text-goemotions-{split}", go)),
            Ravdess = ravdess is null ? null : new DevSplit("RAVDESS held-out actors", ravdess, encoders.Speech("speech-ravdess-heldout", ravdess))
            {
                Extended = encoders.SpeechCombined("speech-combined-ravdess-heldout", ravdess),
            },
            Fer = fer is null ? null : new DevSplit($"FER2013 {split}", fer, encoders.ResNet18($"face-fer2013-{split}", fer)),
            FerExpression = fer is null ? null : encoders.FerProbabilities($"fer-expression-fer2013-{split}", fer),
        };
        set.Description.AddRange(description);
        return set;
    }

    private static DevSplit TextSplit(string name, IReadOnlyList<LabelledItem> items, float[][] embeddings) =>
        new(name, items, embeddings) { Extended = MeldContext.Features(items, embeddings, DialogueContext.DefaultTurns, sameSpeaker: true) };
}
