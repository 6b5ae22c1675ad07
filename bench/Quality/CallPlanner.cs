using System.Globalization;
using Emotion.Orleans.Inference;
using Emotion.Orleans.Training;

namespace Emotion.Orleans.QualityCheck;

/// <summary>How the calls are paired.</summary>
/// <param name="Seed">Seed of every shuffle: the same seed and data give the same calls.</param>
/// <param name="Actors">RAVDESS actors whose clips are used (default 17–20, the actors the speech models never saw).</param>
/// <param name="SegmentsPerCall">Segments per call (the last call of an actor may have fewer).</param>
/// <param name="PerEmotion">At most this many segments per label (null: every clip of the actors).</param>
/// <param name="Text">Where the transcript lines come from.</param>
public sealed record PlanSettings(int Seed, IReadOnlySet<string> Actors, int SegmentsPerCall, int? PerEmotion, TextSource Text)
{
    /// <summary>RAVDESS actors 17–20.</summary>
    public static IReadOnlySet<string> HeldOutActors { get; } =
        Enumerable.Range(17, 4).Select(a => a.ToString("D2", CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);

    /// <summary>The defaults of the command.</summary>
    public static PlanSettings Default { get; } = new(42, HeldOutActors, 6, null, TextSource.Meld);
}

/// <summary>
/// Builds label-paired calls from a datasets folder in the shared layout, through the training
/// command's loaders (so labels map exactly as in training: RAVDESS calm → neutral, FER2013's
/// renamed folders, MELD's own seven labels, GoEmotions' Ekman groups with the single-label rule).
/// </summary>
public static class CallPlanner
{
    /// <summary>Reads the data and pairs it.</summary>
    /// <param name="datasets">The datasets root (<c>ravdess/</c>, <c>fer2013/dev/</c>, <c>meld/</c>, <c>goemotions/</c>).</param>
    /// <param name="settings">Seed, actors, call length, cap, text source.</param>
    /// <exception cref="DirectoryNotFoundException">A dataset folder is missing.</exception>
    /// <exception cref="FileNotFoundException">A dataset file is missing.</exception>
    /// <exception cref="FormatException">A dataset file is malformed.</exception>
    /// <exception cref="InvalidDataException">No label can be paired.</exception>
    public static CallPlan Build(string datasets, PlanSettings settings)
    {
        ArgumentNullException.ThrowIfNull(datasets);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.SegmentsPerCall, 1, nameof(settings));
        var sources = new List<string>();
        var ravdess = RavdessLoader.Load(Path.Combine(datasets, "ravdess"));
        var clips = ravdess.Items.Where(i => settings.Actors.Contains(i.Group!)).ToArray();
        sources.Add($"speech: RAVDESS actors {string.Join(", ", settings.Actors.Order(StringComparer.Ordinal))}: {Counts(clips)}");
        var fer = Fer2013Loader.Load(Path.Combine(datasets, "fer2013", "dev"));
        sources.Add($"face: FER2013 dev (cleaned: cross-split copies, label conflicts and duplicates dropped): {Counts(fer.Items)}");
        var (lines, topUp) = ReadLines(datasets, settings.Text, sources);

        var labels = new List<EmotionLabel>();
        var unpaired = new List<string>();
        foreach (var label in EmotionLabels.All)
        {
            var missing = new List<string>();
            if (!clips.Any(c => c.Label == label))
            {
                missing.Add("no RAVDESS clip of the actors");
            }

            if (!fer.Items.Any(f => f.Label == label))
            {
                missing.Add("no FER2013 dev image");
            }

            if (!lines.Any(l => l.Label == label) && !topUp.Any(l => l.Label == label))
            {
                missing.Add("no dev transcript line");
            }

            if (missing.Count == 0)
            {
                labels.Add(label);
            }
            else
            {
                unpaired.Add($"{EmotionLabels.Name(label)}: {string.Join(", ", missing)}");
            }
        }

        if (labels.Count == 0)
        {
            throw new InvalidDataException($"No label has a clip, a face and a line in {datasets}: {string.Join("; ", unpaired)}.");
        }

        // Each label's clips, faces and lines in a seeded order; faces and lines are drawn in that order.
        var faces = labels.ToDictionary(l => l, l => new Pool(Shuffled(fer.Items.Where(f => f.Label == l), settings.Seed, 1, l)));
        var texts = labels.ToDictionary(l => l, l => new Pool([.. Shuffled(lines.Where(t => t.Label == l), settings.Seed, 2, l), .. Shuffled(topUp.Where(t => t.Label == l), settings.Seed, 3, l)]));
        var chosen = labels
            .SelectMany(l => Shuffled(clips.Where(c => c.Label == l), settings.Seed, 4, l).Take(settings.PerEmotion ?? int.MaxValue))
            .ToArray();

        var calls = new List<PairedCall>();
        foreach (var actor in chosen.GroupBy(c => c.Group!).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            // One actor is one customer; the order of their clips (hence of the labels) is seeded.
            var order = actor.OrderBy(c => c.Id, StringComparer.Ordinal).ToArray();
            new Random(Seed(settings.Seed, 5, int.Parse(actor.Key, CultureInfo.InvariantCulture))).Shuffle(order);
            for (var start = 0; start < order.Length; start += settings.SegmentsPerCall)
            {
                var segments = order.Skip(start).Take(settings.SegmentsPerCall)
                    .Select((clip, k) => new PairedSegment(k, clip.Label, clip, faces[clip.Label].Next(), texts[clip.Label].Next()))
                    .ToArray();
                calls.Add(new PairedCall(string.Create(CultureInfo.InvariantCulture, $"a{actor.Key}-{start / settings.SegmentsPerCall + 1:D2}"), actor.Key, segments));
            }
        }

        var reused = labels
            .SelectMany(l => new[] { ("FER2013 dev faces", l, faces[l]), ("transcript lines", l, texts[l]) })
            .Where(p => p.Item3.Drawn > p.Item3.Count)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{EmotionLabels.Name(p.l)}: {p.Item3.Drawn} segments share {p.Item3.Count} {p.Item1}"))
            .ToArray();
        return new CallPlan(calls, labels, unpaired, sources, reused);
    }

    private static (IReadOnlyList<LabelledItem> Lines, IReadOnlyList<LabelledItem> TopUp) ReadLines(string datasets, TextSource source, List<string> sources)
    {
        var go = GoEmotionsLoader.Load(Path.Combine(datasets, "goemotions"), "dev").Result.Items;
        if (source == TextSource.GoEmotions)
        {
            sources.Add($"text: GoEmotions dev (single-label rule of the training command): {Counts(go)}");
            return (go, []);
        }

        var meld = MeldLoader.LoadSplit(Path.Combine(datasets, "meld"), "dev").Items;
        sources.Add($"text: MELD dev: {Counts(meld)}; a label with fewer MELD dev lines than segments is topped up from GoEmotions dev ({Counts(go)})");
        return (meld, go);
    }

    private static LabelledItem[] Shuffled(IEnumerable<LabelledItem> items, int seed, int stream, EmotionLabel label)
    {
        // Sorted first so the order never depends on how a loader enumerated its folder.
        var array = items.OrderBy(i => i.Id, StringComparer.Ordinal).ToArray();
        new Random(Seed(seed, stream, (int)label)).Shuffle(array);
        return array;
    }

    // Separate, fixed streams per source and label: adding a label or a source leaves the others' order unchanged.
    private static int Seed(int seed, int stream, int key) => unchecked((seed * 1_000_003) + (stream * 10_007) + key);

    private static string Counts(IReadOnlyCollection<LabelledItem> items) =>
        $"{items.Count} items ({string.Join(", ", EmotionLabels.All.Select(l => string.Create(CultureInfo.InvariantCulture, $"{EmotionLabels.Name(l)} {items.Count(i => i.Label == l)}")))})";

    /// <summary>Items drawn in order, starting again from the first when all were drawn.</summary>
    private sealed class Pool(IReadOnlyList<LabelledItem> items)
    {
        public int Count => items.Count;

        public int Drawn { get; private set; }

        public LabelledItem Next() => items[Drawn++ % items.Count];
    }
}
