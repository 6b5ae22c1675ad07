using System.Globalization;

namespace Emotion.Orleans.Inference.Benchmarks;

/// <summary>Command-line options of the bench command.</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        emotion-bench-inference: per-item latency of each modality at several batch sizes,
        beside the raw ONNX Runtime time of the same model. Build with -c Release.

        Options:
          --quick              fewer runs per measurement (a rough figure in well under a minute)
          --threads N          ONNX Runtime intra-op threads per session (default: ORT's choice, one per core)
          --spinning on|off    let idle ONNX Runtime threads spin-wait (default: the product's, off)
          --json PATH          also write the results as JSON
          --only MODALITY      run one section: text, speech or face
          --speech-cnn PATH    speech CNN ONNX to time when there is no bundle (default: the bundle's)
          --help               this text
        """;

    /// <summary>Batch sizes measured for every modality.</summary>
    public IReadOnlyList<int> BatchSizes { get; } = [1, 4, 8, 16, 32];

    public bool Quick { get; private set; }

    /// <summary>0 = ONNX Runtime's default.</summary>
    public int Threads { get; private set; }

    /// <summary>Intra-op spin-waiting; null = the product's default.</summary>
    public bool? Spinning { get; private set; }

    public string? JsonPath { get; private set; }

    public string? Only { get; private set; }

    public string? SpeechCnnPath { get; private set; }

    public bool Help { get; private set; }

    public SamplingPlan Plan => Quick ? SamplingPlan.Quick : SamplingPlan.Full;

    /// <summary>Parses the arguments; an error message instead when they are not understood.</summary>
    public static BenchOptions Parse(IReadOnlyList<string> args, out string? error)
    {
        var options = new BenchOptions();
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    options.Quick = true;
                    break;
                case "--threads" when i + 1 < args.Count
                    && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var threads)
                    && threads is > 0 and <= 256:
                    options.Threads = threads;
                    i++;
                    break;
                case "--spinning" when i + 1 < args.Count && args[i + 1] is "on" or "off":
                    options.Spinning = args[++i] == "on";
                    break;
                case "--json" when i + 1 < args.Count && !string.IsNullOrWhiteSpace(args[i + 1]):
                    options.JsonPath = args[++i];
                    break;
                case "--speech-cnn" when i + 1 < args.Count && File.Exists(args[i + 1]):
                    options.SpeechCnnPath = args[++i];
                    break;
                case "--only" when i + 1 < args.Count && args[i + 1] is "text" or "speech" or "face":
                    options.Only = args[++i];
                    break;
                case "--help" or "-h":
                    options.Help = true;
                    break;
                default:
                    error = $"Option '{args[i]}' is not understood or lacks a valid value.";
                    return options;
            }
        }

        return options;
    }
}
