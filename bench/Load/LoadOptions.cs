using System.Globalization;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>Short runs are routine (under two minutes); long runs search longer and end with a soak.</summary>
public enum LoadMode
{
    /// <summary>Short (<c>--short</c>): capacity search with short steps, under two minutes.</summary>
    Routine = 0,

    /// <summary>Long (<c>--long</c>): longer steps and a soak at the highest count that held.</summary>
    Soak = 1,
}

/// <summary>Command line of <c>emotion-load</c>.</summary>
public sealed record LoadOptions
{
    /// <summary>Usage text.</summary>
    public const string Usage = """
        usage: emotion-load [--short | --long] [--calls <n>] [--step <seconds>] [--confirm <seconds>] [--fps <n>] [--text-every <seconds>]
                            [--max-p99 <ms>] [--max-lag <ms>] [--max-face-shed <share>] [--max-calls <n>] [--budget <seconds>] [--soak <seconds>] [--soak-attempts <n>]
                            [--call-length <seconds>] [--retention <seconds>] [--storage-cost] [--no-face] [--no-ceiling] [--ceiling-point <seconds>] [--out <folder>] [--redis <connection> [--cluster-id <id>] [--service-id <id>]]
          --short        capacity search in short steps, ceiling runs, about 2 minutes (default)
          --long         longer steps, then a soak at the highest count that held with the process memory sampled
          --calls        run this many calls for one step instead of searching
          --step         seconds each step runs its calls (short 8, long 30)
          --confirm      seconds of the steps that confirm the count found, stepping down until one holds,
                         then halving the gap to the lowest count that failed (at most two more steps)
                         (default 60, in both modes; 0 for none)
          --fps          video frames per second per call (default 3; 640x480 JPEG)
          --text-every   seconds between transcript segments (default 3)
          --max-p99      the bound on p99 event-to-result latency in ms (default 1000)
          --max-lag      an input more than this late (ms) is dropped by the call's sender (default 1000)
          --max-face-shed the share of frames the calls' admission control may shed in a step that holds (default 0.05)
          --max-calls    the search stops here (default 256)
          --budget       seconds the search may take (short 75, long 900)
          --soak         seconds of the soak run (long 600; short 0)
          --soak-attempts soaks at most: after one that fails the next runs 0.8 of the true ceiling when that is
                         between, else an eighth fewer calls (long 2; else 1)
          --call-length  seconds each call lasts; a call that ends is replaced at once by a new one, so the number
                         of concurrent calls stays the same (long 180; short: calls last the whole step)
          --retention    seconds an ended call's timeline stays in the embedded silo's storage (Calls:EndedCallRetention;
                         long 60; short: the silo's setting)
          --storage-cost print what one write of a session state costs in the storage formats, then exit
          --no-face      frames without a face (the face path runs its detector only)
          --no-ceiling   skip the ceiling runs (the models run directly through ONNX Runtime)
          --ceiling-point seconds each batch size of each model runs in the true ceiling (short 1.5, long 5)
          --out          folder for the JSON and Markdown results (default bench/results under the repository)
          --redis        load a running cluster found through Redis; without it an embedded silo runs in this process
        """;

    /// <summary>Short or long.</summary>
    public LoadMode Mode { get; init; } = LoadMode.Routine;

    /// <summary>A fixed number of calls (no search), or null to search.</summary>
    public int? Calls { get; init; }

    /// <summary>How long each step runs its calls.</summary>
    public TimeSpan StepDuration { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Length of the steps that confirm the count the search found (stepping down until one holds, then narrowing the gap to the lowest count that failed); zero or not longer than <see cref="StepDuration"/> for none.</summary>
    public TimeSpan ConfirmStep { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Stretch at the start of a step left out of the figures (calls start staggered over it).</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Video frames per second per call.</summary>
    public double FramesPerSecond { get; init; } = 3;

    /// <summary>Mean time between transcript segments.</summary>
    public TimeSpan TextInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Audio chunk length.</summary>
    public TimeSpan AudioChunk { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The bound on p99 event-to-result latency.</summary>
    public TimeSpan MaxP99 { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>An input later than this when its sender gets to it is dropped.</summary>
    public TimeSpan MaxLag { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The share of frames admission control may shed (replaced by newer ones) in a step that holds.</summary>
    public double MaxFaceShed { get; init; } = StepFigures.DefaultMaxFaceShed;

    /// <summary>The search never goes above this many calls.</summary>
    public int MaxCalls { get; init; } = 256;

    /// <summary>Time the capacity search may take (a step that starts within it runs to its end).</summary>
    public TimeSpan SearchBudget { get; init; } = TimeSpan.FromSeconds(75);

    /// <summary>Soak run length at the highest count that held; zero for none.</summary>
    public TimeSpan Soak { get; init; } = TimeSpan.Zero;

    /// <summary>Soaks at most: after a soak that fails, the next runs <see cref="LoadBenchmark.NextSoakCount"/> calls (long 2; else 1).</summary>
    public int SoakAttempts { get; init; } = 1;

    /// <summary>How long each call lasts before it ends and a new call takes its place; null for calls as long as the step.</summary>
    public TimeSpan? CallLength { get; init; }

    /// <summary>How long the embedded silo keeps an ended call's timeline (<c>Calls:EndedCallRetention</c>); null for the silo's setting.</summary>
    public TimeSpan? Retention { get; init; }

    /// <summary>Only measure what a session state write costs in the storage formats (<see cref="StorageCost"/>).</summary>
    public bool StorageCostOnly { get; init; }

    /// <summary>Whether the frames show a face.</summary>
    public bool Face { get; init; } = true;

    /// <summary>Whether the ceiling runs happen (true ceiling and same-batch replay).</summary>
    public bool Ceiling { get; init; } = true;

    /// <summary>How long the true ceiling runs each batch size of each model.</summary>
    public TimeSpan CeilingPoint { get; init; } = TimeSpan.FromSeconds(1.5);

    /// <summary>How often the soak samples the process memory.</summary>
    public TimeSpan MemoryInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Results folder; null for <c>bench/results</c> under the repository (or the working folder).</summary>
    public string? OutputFolder { get; init; }

    /// <summary>Redis connection string of a cluster; null for an embedded silo.</summary>
    public string? Redis { get; init; }

    /// <summary>Cluster id (with <see cref="Redis"/>).</summary>
    public string ClusterId { get; init; } = "emotion";

    /// <summary>Service id (with <see cref="Redis"/>).</summary>
    public string ServiceId { get; init; } = "emotion-calls";

    /// <summary>Parses the arguments.</summary>
    /// <exception cref="ArgumentException">An argument is missing or malformed.</exception>
    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var mode = args.Contains("--long") ? LoadMode.Soak : LoadMode.Routine;
        var options = mode == LoadMode.Soak
            ? new LoadOptions { Mode = mode, StepDuration = TimeSpan.FromSeconds(30), WarmUp = TimeSpan.FromSeconds(5), SearchBudget = TimeSpan.FromSeconds(900), Soak = TimeSpan.FromSeconds(600), SoakAttempts = 2, CeilingPoint = TimeSpan.FromSeconds(5), CallLength = TimeSpan.FromMinutes(3), Retention = TimeSpan.FromMinutes(1) }
            : new LoadOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            double Number(double min)
            {
                var name = args[i];
                var text = Value();
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && double.IsFinite(value)
                    ? value
                    : throw new ArgumentException($"{name} must be a number ≥ {min.ToString(CultureInfo.InvariantCulture)}; got '{text}'.");
            }

            options = args[i] switch
            {
                "--short" or "--long" => options,
                "--calls" => options with { Calls = (int)Number(1) },
                "--step" => options with { StepDuration = TimeSpan.FromSeconds(Number(2)) },
                "--confirm" => options with { ConfirmStep = TimeSpan.FromSeconds(Number(0)) },
                "--fps" => options with { FramesPerSecond = Number(0) },
                "--text-every" => options with { TextInterval = TimeSpan.FromSeconds(Number(0.5)) },
                "--max-p99" => options with { MaxP99 = TimeSpan.FromMilliseconds(Number(1)) },
                "--max-lag" => options with { MaxLag = TimeSpan.FromMilliseconds(Number(1)) },
                "--max-face-shed" => options with { MaxFaceShed = Math.Min(Number(0), 1) },
                "--max-calls" => options with { MaxCalls = (int)Number(1) },
                "--budget" => options with { SearchBudget = TimeSpan.FromSeconds(Number(0)) },
                "--soak" => options with { Soak = TimeSpan.FromSeconds(Number(0)) },
                "--soak-attempts" => options with { SoakAttempts = (int)Number(1) },
                "--call-length" => options with { CallLength = TimeSpan.FromSeconds(Number(5)) },
                "--retention" => options with { Retention = TimeSpan.FromSeconds(Number(1)) },
                "--storage-cost" => options with { StorageCostOnly = true },
                "--no-face" => options with { Face = false },
                "--no-ceiling" => options with { Ceiling = false },
                "--ceiling-point" => options with { CeilingPoint = TimeSpan.FromSeconds(Number(0.2)) },
                "--out" => options with { OutputFolder = Value() },
                "--redis" => options with { Redis = Value() },
                "--cluster-id" => options with { ClusterId = Value() },
                "--service-id" => options with { ServiceId = Value() },
                _ => throw new ArgumentException($"Unexpected argument '{args[i]}'."),
            };
        }

        if (options.WarmUp >= options.StepDuration)
        {
            options = options with { WarmUp = options.StepDuration / 4 };
        }

        return options;
    }
}
