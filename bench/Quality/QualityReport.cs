using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Emotion.Orleans.Grains;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.QualityCheck;

/// <summary>One modality's own answer on the segments where its evidence came from the segment.</summary>
/// <param name="Present">Segments whose result held this modality's evidence from the segment itself.</param>
/// <param name="Correct">Of those, how many the modality's own distribution got right.</param>
/// <param name="Accuracy">Correct / Present (null when absent everywhere).</param>
/// <param name="MeanAlpha">Mean attention weight α of the modality in those results.</param>
public sealed record ModalityFigures(int Present, int Correct, double? Accuracy, double? MeanAlpha);

/// <summary>Figures of one label (or of all segments).</summary>
/// <param name="Emotion">The label, or "all".</param>
/// <param name="Segments">Segments of the label.</param>
/// <param name="Correct">Segments whose fused result has the label.</param>
/// <param name="Accuracy">Correct / Segments (a segment without a result counts as wrong).</param>
/// <param name="NoResult">Segments whose inputs produced no fused result.</param>
/// <param name="AllThreeFresh">Segments whose result held text, speech and face evidence from the segment itself.</param>
/// <param name="Text">The text modality alone.</param>
/// <param name="Speech">The speech modality alone.</param>
/// <param name="Face">The face modality alone.</param>
/// <param name="Predicted">How many segments' results chose each label (label order), then "none".</param>
public sealed record EmotionFigures(
    string Emotion,
    int Segments,
    int Correct,
    double Accuracy,
    int NoResult,
    int AllThreeFresh,
    ModalityFigures Text,
    ModalityFigures Speech,
    ModalityFigures Face,
    IReadOnlyList<int> Predicted)
{
    /// <summary>The figures of a set of outcomes.</summary>
    public static EmotionFigures Of(string emotion, IReadOnlyList<SegmentOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var correct = outcomes.Count(o => o.Correct);
        var predicted = EmotionLabels.Names.Select(n => outcomes.Count(o => o.Predicted == n)).Append(outcomes.Count(o => o.Final is null)).ToArray();
        return new EmotionFigures(
            emotion,
            outcomes.Count,
            correct,
            outcomes.Count == 0 ? 0 : correct / (double)outcomes.Count,
            outcomes.Count(o => o.Final is null),
            outcomes.Count(o => o.Fresh(InputModality.Text) is not null && o.Fresh(InputModality.Speech) is not null && o.Fresh(InputModality.Face) is not null),
            Modality(outcomes, InputModality.Text),
            Modality(outcomes, InputModality.Speech),
            Modality(outcomes, InputModality.Face),
            predicted);
    }

    private static ModalityFigures Modality(IReadOnlyList<SegmentOutcome> outcomes, InputModality modality)
    {
        var fresh = outcomes.Select(o => (o, c: o.Fresh(modality))).Where(p => p.c is not null).ToArray();
        var correct = fresh.Count(p => p.c!.Distribution.Top == EmotionLabels.Name(p.o.Segment.Label));
        return new ModalityFigures(
            fresh.Length,
            correct,
            fresh.Length == 0 ? null : correct / (double)fresh.Length,
            fresh.Length == 0 ? null : fresh.Average(p => (double)p.c!.Alpha));
    }
}

/// <summary>A bar the check was asked to meet.</summary>
/// <param name="Name">"overall" or a label.</param>
/// <param name="Minimum">The least accuracy asked for.</param>
/// <param name="Measured">The accuracy measured.</param>
public sealed record QualityBar(string Name, double Minimum, double Measured)
{
    /// <summary>True when the measured accuracy reaches the bar.</summary>
    public bool Met => Measured >= Minimum;
}

/// <summary>One segment in the report: what was paired and what came back.</summary>
/// <param name="Call">Call name.</param>
/// <param name="Segment">Position in the call.</param>
/// <param name="Label">The pair's label.</param>
/// <param name="Clip">RAVDESS file.</param>
/// <param name="Face">FER2013 dev file.</param>
/// <param name="Line">Transcript line's dataset and id.</param>
/// <param name="Predicted">The fused result's label (null: no result).</param>
/// <param name="Modalities">Modalities in the result, "+" joined, lower case; a modality left over from an earlier segment is marked with "*".</param>
/// <param name="Alpha">α of text, speech, face in the result.</param>
/// <param name="Results">Fused results the segment's inputs produced.</param>
/// <param name="Refused">Inputs of the segment the call refused.</param>
public sealed record SegmentRow(string Call, int Segment, string Label, string Clip, string Face, string Line, string? Predicted, string Modalities, IReadOnlyList<float> Alpha, int Results, int Refused);

/// <summary>The report of one run: settings, pairing, figures per label and per modality, bars.</summary>
/// <param name="Date">When the run started (UTC).</param>
/// <param name="Commit">The repository commit.</param>
/// <param name="Command">The command line.</param>
/// <param name="Bundle">The model bundle the silo loaded, with its creation time.</param>
/// <param name="FacePath">The live face path (ResNet18 + head or the FER2013 expression model).</param>
/// <param name="Settings">Seed, actors, call shape, frames per second, pauses, text source.</param>
/// <param name="Rule">How a segment's result is chosen.</param>
/// <param name="Sources">What each source held.</param>
/// <param name="Unpaired">Labels that could not be paired, with why.</param>
/// <param name="Reused">Faces or lines shared by several segments.</param>
/// <param name="Calls">Calls replayed.</param>
/// <param name="Elapsed">Wall time of the replay.</param>
/// <param name="Overall">Figures over all segments.</param>
/// <param name="PerEmotion">Figures per label, in label order.</param>
/// <param name="Bars">Bars asked for and whether they were met.</param>
/// <param name="Errors">Distinct refusal messages (at most 20).</param>
/// <param name="Segments">Every segment.</param>
public sealed record QualityReport(
    DateTimeOffset Date,
    string Commit,
    string Command,
    string Bundle,
    string FacePath,
    IReadOnlyDictionary<string, string> Settings,
    string Rule,
    IReadOnlyList<string> Sources,
    IReadOnlyList<string> Unpaired,
    IReadOnlyList<string> Reused,
    int Calls,
    TimeSpan Elapsed,
    EmotionFigures Overall,
    IReadOnlyList<EmotionFigures> PerEmotion,
    IReadOnlyList<QualityBar> Bars,
    IReadOnlyList<string> Errors,
    IReadOnlyList<SegmentRow> Segments)
{
    /// <summary>The rule that picks a segment's result, as written in every report.</summary>
    public const string ResultRule =
        "A segment's result is the last fused result produced by the segment's own inputs — its audio " +
        "chunks up to the end of the pause after the clip, its frames, its transcript segment — which " +
        "normally is the speech utterance end that voice-activity detection reports in the pause, fused " +
        "with the segment's transcript and latest frame. A segment without any result counts as wrong. " +
        "A modality's own figure counts only segments whose result held that modality's evidence from " +
        "the segment itself (not left over from the segment before).";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>True when every bar was met (also when none was asked for).</summary>
    public bool BarsMet => Bars.All(b => b.Met);

    /// <summary>Builds the report of a run.</summary>
    public static QualityReport Create(
        DateTimeOffset date,
        string commit,
        string command,
        string bundle,
        string facePath,
        IReadOnlyDictionary<string, string> settings,
        CallPlan plan,
        IReadOnlyList<SegmentOutcome> outcomes,
        TimeSpan elapsed,
        double? minAccuracy,
        IReadOnlyDictionary<EmotionLabel, double> minPerEmotion)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(minPerEmotion);
        var overall = EmotionFigures.Of("all", outcomes);
        var perEmotion = plan.Labels.Select(l => EmotionFigures.Of(EmotionLabels.Name(l), [.. outcomes.Where(o => o.Segment.Label == l)])).ToArray();
        var bars = new List<QualityBar>();
        if (minAccuracy is { } m)
        {
            bars.Add(new QualityBar("overall", m, overall.Accuracy));
        }

        foreach (var (label, minimum) in minPerEmotion.OrderBy(p => p.Key))
        {
            bars.Add(new QualityBar(EmotionLabels.Name(label), minimum, perEmotion.FirstOrDefault(f => f.Emotion == EmotionLabels.Name(label))?.Accuracy ?? 0));
        }

        var rows = outcomes.Select(o => new SegmentRow(
            o.Call,
            o.Segment.Index,
            EmotionLabels.Name(o.Segment.Label),
            o.Segment.Clip.Id,
            o.Segment.Face.Id,
            $"{o.Segment.Line.Dataset}:{o.Segment.Line.Id}",
            o.Predicted,
            o.Final is null ? "" : string.Join("+", o.Final.Modalities.Select(c => c.Modality.ToString().ToLowerInvariant() + (o.Span.Covers(c.Start, c.End) ? "" : "*"))),
            o.Final is null ? [] : [.. o.Final.Alpha],
            o.Results,
            o.Refused)).ToArray();
        var errors = outcomes.SelectMany(o => o.Errors).Distinct(StringComparer.Ordinal).Take(20).ToArray();
        return new QualityReport(date, commit, command, bundle, facePath, settings, ResultRule, plan.Sources, plan.Unpaired, plan.Reused, plan.Calls.Count, elapsed, overall, perEmotion, bars, errors, rows);
    }

    /// <summary>Writes <c>quality-&lt;date&gt;.json</c> and <c>.md</c> into <paramref name="folder"/>; returns both paths.</summary>
    public (string Json, string Markdown) Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var stem = Path.Combine(folder, $"quality-{Date.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
        File.WriteAllText(stem + ".json", JsonSerializer.Serialize(this, Json) + "\n");
        File.WriteAllText(stem + ".md", Markdown());
        return (stem + ".json", stem + ".md");
    }

    /// <summary>Reads a report written by <see cref="Write"/>.</summary>
    public static QualityReport Read(string jsonPath) =>
        JsonSerializer.Deserialize<QualityReport>(File.ReadAllText(jsonPath), Json) ?? throw new InvalidDataException($"{jsonPath} holds no report.");

    /// <summary>The printed figures: overall, per label, per modality, bars.</summary>
    public string Summary()
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"fused accuracy {Overall.Accuracy:0.000} ({Overall.Correct}/{Overall.Segments} segments, {Calls} calls; no result {Overall.NoResult})"));
        foreach (var f in PerEmotion)
        {
            text.AppendLine(Invariant($"  {f.Emotion,-9} {f.Accuracy:0.000} ({f.Correct}/{f.Segments})   text {Share(f.Text)}  speech {Share(f.Speech)}  face {Share(f.Face)}"));
        }

        text.AppendLine(Invariant($"  alone: text {Share(Overall.Text)}, speech {Share(Overall.Speech)}, face {Share(Overall.Face)}; mean α text {Alpha(Overall.Text)} speech {Alpha(Overall.Speech)} face {Alpha(Overall.Face)}"));
        foreach (var bar in Bars)
        {
            text.AppendLine(Invariant($"  bar {bar.Name} ≥ {bar.Minimum:0.00}: {bar.Measured:0.000} {(bar.Met ? "met" : "NOT met")}"));
        }

        return text.ToString();
    }

    /// <summary>The markdown report.</summary>
    public string Markdown()
    {
        var md = new StringBuilder();
        md.AppendLine(Invariant($"# End-to-end emotion quality — {Date:yyyy-MM-dd HH:mm} UTC"));
        md.AppendLine();
        md.AppendLine("Label-paired calls built from held-out data, replayed through an embedded silo (the product's");
        md.AppendLine("grains, workers and fusion, with the bundle below). The three modalities of a segment come from");
        md.AppendLine("different people and datasets paired by label: this measures the live pipeline end to end on");
        md.AppendLine("composites, not real-world multimodal accuracy.");
        md.AppendLine();
        md.AppendLine(Invariant($"- commit `{Commit}`; bundle {Bundle}; face path {FacePath}"));
        md.AppendLine(Invariant($"- command: `{Command}`"));
        md.AppendLine(Invariant($"- settings: {string.Join(", ", Settings.Select(s => $"{s.Key} {s.Value}"))}"));
        md.AppendLine(Invariant($"- {Calls} calls, {Overall.Segments} segments, replayed in {Elapsed.TotalSeconds:0} s"));
        foreach (var source in Sources)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {source}");
        }

        md.AppendLine(CultureInfo.InvariantCulture, $"- labels not paired: {(Unpaired.Count == 0 ? "none" : string.Join("; ", Unpaired))}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- reused items: {(Reused.Count == 0 ? "none" : string.Join("; ", Reused))}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"**Rule.** {Rule}");
        md.AppendLine();
        md.AppendLine("## Fused result with the right label");
        md.AppendLine();
        md.AppendLine("| emotion | segments | fused accuracy | no result | all three fresh | text alone | speech alone | face alone (face found) | mean α text / speech / face |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var f in PerEmotion.Append(Overall))
        {
            var name = f.Emotion == "all" ? "**all**" : f.Emotion;
            var accuracy = f.Emotion == "all" ? Invariant($"**{f.Accuracy:0.000}**") : Invariant($"{f.Accuracy:0.000}");
            md.AppendLine(Invariant($"| {name} | {f.Segments} | {accuracy} | {f.NoResult} | {f.AllThreeFresh} | {Share(f.Text)} | {Share(f.Speech)} | {Share(f.Face)} | {Alpha(f.Text)} / {Alpha(f.Speech)} / {Alpha(f.Face)} |"));
        }

        md.AppendLine();
        md.AppendLine("A modality's own figure: its worker's distribution on the segments whose result held its evidence from the segment (count in brackets); for the face, the count is the segments where a face was found.");
        md.AppendLine();
        if (Bars.Count > 0)
        {
            md.AppendLine("## Bars");
            md.AppendLine();
            md.AppendLine("| bar | minimum | measured | met |");
            md.AppendLine("|---|---:|---:|---|");
            foreach (var bar in Bars)
            {
                md.AppendLine(Invariant($"| {bar.Name} | {bar.Minimum:0.00} | {bar.Measured:0.000} | {(bar.Met ? "yes" : "**no**")} |"));
            }

            md.AppendLine();
        }

        md.AppendLine("## Confusion (rows: paired label, columns: fused result)");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"| label | {string.Join(" | ", EmotionLabels.Names)} | none |");
        md.AppendLine(CultureInfo.InvariantCulture, $"|---|{string.Concat(Enumerable.Repeat("---:|", EmotionLabels.Count + 1))}");
        foreach (var f in PerEmotion)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {f.Emotion} | {string.Join(" | ", f.Predicted.Select(c => c.ToString(CultureInfo.InvariantCulture)))} |");
        }

        md.AppendLine();
        if (Errors.Count > 0)
        {
            md.AppendLine("## Refused inputs");
            md.AppendLine();
            foreach (var error in Errors)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {error}");
            }

            md.AppendLine();
        }

        md.AppendLine("Every segment (clip, face, line, result, modalities — `*` marks evidence left over from the segment before) is in the JSON report beside this file.");
        return md.ToString();
    }

    private static string Share(ModalityFigures m) =>
        m.Accuracy is { } a ? Invariant($"{a:0.000} ({m.Present})") : "– (0)";

    private static string Alpha(ModalityFigures m) => m.MeanAlpha is { } a ? Invariant($"{a:0.00}") : "–";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
