using System.Globalization;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.QualityCheck;

/// <summary>Command line of <c>emotion-quality</c>.</summary>
/// <param name="Datasets">The datasets root (null: <c>EMOTION_DATASETS</c>, else a <c>shared/datasets</c> above the binaries or the current folder).</param>
/// <param name="OutputFolder">Where the report goes (null: <c>bench/results</c> of the repository).</param>
/// <param name="Plan">How calls are paired.</param>
/// <param name="Script">How calls become inputs.</param>
/// <param name="Concurrency">Calls replayed at once.</param>
/// <param name="MinAccuracy">Overall bar (exit code 3 below it).</param>
/// <param name="MinPerEmotion">Per-label bars (exit code 3 below any).</param>
/// <param name="Configuration">Configuration overrides for the embedded silo (<c>--set key=value</c>, e.g. <c>Inference:BundlePath=…</c>).</param>
public sealed record QualityOptions(
    string? Datasets,
    string? OutputFolder,
    PlanSettings Plan,
    ScriptSettings Script,
    int Concurrency,
    double? MinAccuracy,
    IReadOnlyDictionary<EmotionLabel, double> MinPerEmotion,
    IReadOnlyDictionary<string, string?> Configuration)
{
    /// <summary>Usage text.</summary>
    public const string Usage = """
        usage: emotion-quality [--datasets DIR] [--out DIR] [--bundle DIR] [--seed N] [--actors 17-20]
                               [--segments-per-call N] [--per-emotion N] [--text meld|goemotions]
                               [--fps X] [--pause SECONDS] [--concurrency N]
                               [--min-accuracy X] [--min-emotion LABEL=X ...] [--set KEY=VALUE ...]
          --datasets          datasets root (default: EMOTION_DATASETS, else shared/datasets above the binaries or here)
          --out               report folder (default: bench/results of the repository)
          --bundle            model bundle the silo loads (same as --set Inference:BundlePath=DIR; default: the committed bundle)
          --seed              seed of every shuffle (default 42)
          --actors            RAVDESS actors, a range or comma list (default 17-20: unseen by the speech models)
          --segments-per-call segments per call, one actor per call (default 6)
          --per-emotion       at most N segments per emotion (default: every clip of the actors)
          --text              transcript lines: meld (MELD dev, topped up from GoEmotions dev; default) or goemotions
          --fps               video frames per second over each clip (default 2)
          --pause             seconds of silence after each clip (default 1)
          --concurrency       calls replayed at once (default 2)
          --min-accuracy      exit with code 3 when the overall fused accuracy is below X
          --min-emotion       exit with code 3 when LABEL's fused accuracy is below X (repeatable)
          --set               configuration of the embedded silo, as in Silo/appsettings.json (repeatable)
        """;

    /// <summary>Parses the arguments.</summary>
    /// <exception cref="ArgumentException">An argument is missing or malformed.</exception>
    public static QualityOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? datasets = null;
        string? output = null;
        var plan = PlanSettings.Default;
        var script = ScriptSettings.Default;
        var concurrency = 2;
        double? minAccuracy = null;
        var minPerEmotion = new Dictionary<EmotionLabel, double>();
        var configuration = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            switch (name)
            {
                case "--datasets": datasets = Value(); break;
                case "--out": output = Value(); break;
                case "--bundle": configuration["Inference:BundlePath"] = Path.GetFullPath(Value()); break;
                case "--seed": plan = plan with { Seed = Int(name, Value(), int.MinValue) }; break;
                case "--actors": plan = plan with { Actors = Actors(Value()) }; break;
                case "--segments-per-call": plan = plan with { SegmentsPerCall = Int(name, Value(), 1) }; break;
                case "--per-emotion": plan = plan with { PerEmotion = Int(name, Value(), 1) }; break;
                case "--text":
                    var text = Value();
                    plan = plan with
                    {
                        Text = text switch
                        {
                            "meld" => TextSource.Meld,
                            "goemotions" => TextSource.GoEmotions,
                            _ => throw new ArgumentException($"--text must be meld or goemotions; got '{text}'."),
                        },
                    };
                    break;
                case "--fps": script = script with { FramesPerSecond = Number(name, Value(), 0.1, 30) }; break;
                case "--pause": script = script with { Pause = TimeSpan.FromSeconds(Number(name, Value(), 0.5, 10)) }; break;
                case "--concurrency": concurrency = Int(name, Value(), 1); break;
                case "--min-accuracy": minAccuracy = Number(name, Value(), 0, 1); break;
                case "--min-emotion":
                    var (label, bar) = Pair(name, Value());
                    minPerEmotion[EmotionLabels.TryParse(label, out var parsed) ? parsed : throw new ArgumentException($"--min-emotion: '{label}' is not one of {string.Join(", ", EmotionLabels.Names)}.")] = Number(name, bar, 0, 1);
                    break;
                case "--set":
                    var (key, value) = Pair(name, Value());
                    configuration[key] = value;
                    break;
                default:
                    throw new ArgumentException($"Unexpected argument '{name}'.");
            }
        }

        return new QualityOptions(datasets, output, plan, script, concurrency, minAccuracy, minPerEmotion, configuration);
    }

    /// <summary>The settings as written in the report.</summary>
    public IReadOnlyDictionary<string, string> Describe() => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["seed"] = Plan.Seed.ToString(CultureInfo.InvariantCulture),
        ["actors"] = string.Join(",", Plan.Actors.Order(StringComparer.Ordinal)),
        ["segments per call"] = Plan.SegmentsPerCall.ToString(CultureInfo.InvariantCulture),
        ["per emotion"] = Plan.PerEmotion?.ToString(CultureInfo.InvariantCulture) ?? "all",
        ["text"] = Plan.Text.ToString().ToLowerInvariant(),
        ["frames per second"] = Script.FramesPerSecond.ToString(CultureInfo.InvariantCulture),
        ["pause s"] = Script.Pause.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        ["audio chunk ms"] = Script.AudioChunk.TotalMilliseconds.ToString(CultureInfo.InvariantCulture),
        ["transcript delay ms"] = Script.TranscriptDelay.TotalMilliseconds.ToString(CultureInfo.InvariantCulture),
        ["concurrency"] = Concurrency.ToString(CultureInfo.InvariantCulture),
    };

    private static int Int(string name, string text, int minimum) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : throw new ArgumentException($"{name} must be an integer ≥ {minimum}; got '{text}'.");

    private static double Number(string name, string text, double minimum, double maximum) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= minimum && value <= maximum
            ? value
            : throw new ArgumentException($"{name} must be a number in {minimum}–{maximum}; got '{text}'.");

    private static (string Key, string Value) Pair(string name, string text)
    {
        var at = text.IndexOf('=', StringComparison.Ordinal);
        return at > 0 ? (text[..at].Trim(), text[(at + 1)..].Trim()) : throw new ArgumentException($"{name} takes KEY=VALUE; got '{text}'.");
    }

    private static SortedSet<string> Actors(string text)
    {
        var actors = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-', StringSplitOptions.TrimEntries);
            var first = Int("--actors", range[0], 1);
            var last = range.Length == 2 ? Int("--actors", range[1], first) : first;
            if (range.Length > 2 || last > 24)
            {
                throw new ArgumentException($"--actors takes actor ids 1–24 as ranges or a list (17-20, 17,19); got '{text}'.");
            }

            for (var a = first; a <= last; a++)
            {
                actors.Add(a.ToString("D2", CultureInfo.InvariantCulture));
            }
        }

        return actors.Count > 0 ? actors : throw new ArgumentException("--actors names no actor.");
    }
}
