using System.Globalization;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>Entry point of the training and evaluation command.</summary>
public static class Program
{
    /// <summary>Runs the command.</summary>
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "speech-cnn")
        {
            return SpeechCnnCommand(args[1..]);
        }

        if (args.Length > 0 && args[0] == "text-encoder")
        {
            return TextEncoderCommand(args[1..]);
        }

        if (args.Length > 0 && args[0] is "train" or "evaluate")
        {
            return TrainOrEvaluate(args);
        }

        Console.Error.WriteLine(Usage);
        return args.Length == 0 ? 2 : 0;
    }

    private const string Usage =
        "usage: emotion-train train --datasets DIR [--out DIR] [--cache DIR] [--seed N] [--quick] [--no-paper-paths] [--train-speech-cnn] [--speech-cnn FILE]\n" +
        "                          [--train-text-encoder] [--text-encoder FILE] [--speaker-turn] [--aligned DIR]\n" +
        "                          [--max-goemotions N] [--max-fer N] [--cap N]   (training subsample caps, evaluation-split cap; 0 = all)\n" +
        "       emotion-train evaluate --datasets DIR --bundle DIR --out DIR [--cache DIR] [--split dev] [--cap N] [--quick]\n" +
        "       emotion-train evaluate --aligned DIR [--bundle DIR] --out DIR [--seed N]   (aligned.csv: id,label,text,audio,frame)\n" +
        "       emotion-train speech-cnn --ravdess DIR [--out FILE] [--seed N] [--epochs N] [--mfcc-normalization utterance|level]\n" +
        "       emotion-train text-encoder --datasets DIR [--out FILE] [--seed N] [--layers N] [--epochs N] [--lr X] [--class-weight-power P] [--max-goemotions N]";

    /// <summary>Runs <c>train</c> or <c>evaluate</c> with their options.</summary>
    internal static int TrainOrEvaluate(string[] args)
    {
        string? datasets = null;
        string? bundle = null;
        string? output = null;
        var cache = Path.Combine(".cache", "features");
        var seed = 42;
        var quick = false;
        var paperPaths = true;
        var trainSpeechCnn = false;
        var trainTextEncoder = false;
        var speakerTurn = false;
        var textEncoder = Path.Combine("Inference", "Models", "bundle", TrainCommand.TextEncoderFile);
        var speechCnn = Path.Combine("Inference", "Models", "bundle", "speech-cnn.onnx");
        var split = "dev";
        int? cap = null;
        int? maxGoEmotions = null;
        int? maxFer = null;
        string? aligned = null;
        for (var i = 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--datasets": datasets = Value(); break;
                case "--bundle": bundle = Value(); break;
                case "--out": output = Value(); break;
                case "--cache": cache = Value(); break;
                case "--seed": seed = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--quick": quick = true; break;
                case "--no-paper-paths": paperPaths = false; break;
                case "--train-speech-cnn": trainSpeechCnn = true; break;
                case "--speech-cnn": speechCnn = Value(); break;
                case "--train-text-encoder": trainTextEncoder = true; break;
                case "--speaker-turn": speakerTurn = true; break;
                case "--text-encoder": textEncoder = Value(); break;
                case "--split": split = Value(); break;
                case "--cap": cap = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--max-goemotions": maxGoEmotions = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--max-fer": maxFer = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--aligned": aligned = Value(); break;
                default:
                    Console.Error.WriteLine($"unknown option {args[i]}\n{Usage}");
                    return 2;
            }
        }

        if (args[0] == "evaluate" && aligned is not null)
        {
            if (output is null)
            {
                Console.Error.WriteLine($"evaluate needs --out\n{Usage}");
                return 2;
            }

            return EvaluateCommand.RunAligned(aligned, bundle ?? ModelFiles.DefaultBundle, output, seed, Console.Out);
        }

        datasets ??= DatasetFolders.Find(Directory.GetCurrentDirectory());
        if (datasets is null)
        {
            Console.Error.WriteLine($"no datasets folder (give --datasets or set {DatasetFolders.EnvironmentVariable})\n{Usage}");
            return 2;
        }

        if (args[0] == "train")
        {
            if (!trainSpeechCnn && !File.Exists(speechCnn))
            {
                speechCnn = Path.Combine(ModelFiles.DefaultBundle, "speech-cnn.onnx");
            }

            if (!File.Exists(textEncoder))
            {
                textEncoder = Path.Combine(ModelFiles.DefaultBundle, TrainCommand.TextEncoderFile);
            }

            var commandLine = "emotion-train " + string.Join(' ', args);
            return TrainCommand.Run(new TrainOptions(datasets, output ?? Path.Combine("Inference", "Models", "bundle"), cache, seed, quick, speechCnn, trainSpeechCnn, commandLine)
            {
                MaxGoEmotions = maxGoEmotions,
                MaxFer = maxFer,
                MaxDev = cap,
                Aligned = aligned,
                PaperPaths = paperPaths,
                TextEncoder = textEncoder,
                TrainTextEncoder = trainTextEncoder,
                SpeakerTurn = speakerTurn,
            }, Console.Out);
        }

        if (output is null)
        {
            Console.Error.WriteLine($"evaluate needs --out\n{Usage}");
            return 2;
        }

        return EvaluateCommand.Run(datasets, bundle ?? ModelFiles.DefaultBundle, output, cache, split, cap, quick, Console.Out);
    }

    /// <summary><c>speech-cnn --ravdess DIR [--out FILE] [--seed N] [--epochs N] [--mfcc-normalization utterance|level]</c>: trains and exports the speech CNN.</summary>
    private static int SpeechCnnCommand(string[] args)
    {
        string? ravdess = null;
        var output = Path.Combine("Inference", "Models", "bundle", "speech-cnn.onnx");
        var seed = 7;
        var epochs = 25;
        var normalization = MfccNormalization.Utterance;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--ravdess": ravdess = args[i + 1]; break;
                case "--out": output = args[i + 1]; break;
                case "--seed": seed = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--epochs": epochs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--mfcc-normalization": normalization = Enum.Parse<MfccNormalization>(args[i + 1], ignoreCase: true); break;
                default:
                    Console.Error.WriteLine($"unknown option {args[i]}");
                    return 2;
            }
        }

        if (ravdess is null)
        {
            Console.Error.WriteLine("usage: emotion-train speech-cnn --ravdess DIR [--out FILE] [--seed N] [--epochs N] [--mfcc-normalization utterance|level]");
            return 2;
        }

        var report = SpeechCnnTrainer.Train(new SpeechCnnTrainingOptions
        {
            RavdessDirectory = ravdess,
            OutputPath = output,
            Seed = seed,
            Epochs = epochs,
            Normalization = normalization,
            Log = Console.Out,
        });
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"dev accuracy {report.DevAccuracy:0.000} (ONNX {report.DevAccuracyOnnx:0.000}), macro-F1 {report.DevMacroF1:0.000}, {report.TrainClips} train / {report.DevClips} dev clips, MFCC {report.FeatureTime.TotalSeconds:0.0} s, training {report.TrainTime.TotalSeconds:0.0} s"));
        Console.WriteLine("confusion (rows true, columns predicted): " + string.Join(" ", EmotionLabels.Names));
        for (var t = 0; t < EmotionLabels.Count; t++)
        {
            Console.WriteLine($"{EmotionLabels.Names[t],-9} " + string.Join(" ", Enumerable.Range(0, EmotionLabels.Count).Select(p => report.Confusion[t, p].ToString(CultureInfo.InvariantCulture).PadLeft(4))));
        }

        return 0;
    }

    /// <summary><c>text-encoder</c>: fine-tunes MiniLM's top layers on MELD train + GoEmotions and writes the encoder patch.</summary>
    private static int TextEncoderCommand(string[] args)
    {
        string? datasets = null;
        var output = Path.Combine("Inference", "Models", "bundle", TrainCommand.TextEncoderFile);
        var seed = 42;
        var maxGoEmotions = 4000;
        var options = new TextEncoderFineTuningOptions { Log = Console.Out };
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--datasets": datasets = value; break;
                case "--out": output = value; break;
                case "--seed": seed = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--layers": options = options with { Layers = int.Parse(value, CultureInfo.InvariantCulture) }; break;
                case "--epochs": options = options with { Epochs = int.Parse(value, CultureInfo.InvariantCulture) }; break;
                case "--lr": options = options with { LearningRate = double.Parse(value, CultureInfo.InvariantCulture) }; break;
                case "--class-weight-power": options = options with { ClassWeightPower = double.Parse(value, CultureInfo.InvariantCulture) }; break;
                case "--max-goemotions": maxGoEmotions = int.Parse(value, CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine($"unknown option {args[i]}\n{Usage}");
                    return 2;
            }
        }

        datasets ??= DatasetFolders.Find(Directory.GetCurrentDirectory());
        if (datasets is null)
        {
            Console.Error.WriteLine($"no datasets folder (give --datasets or set {DatasetFolders.EnvironmentVariable})\n{Usage}");
            return 2;
        }

        var (train, dev) = TextEncoderData(datasets, seed, maxGoEmotions);
        var report = TextEncoderFineTuner.Train(train, dev, options with { Seed = seed });
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllBytes(output, report.Patch);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kept epoch {report.BestEpoch}; wrote {output} ({report.Patch.Length / 1e6:0.0} MB)"));
        return 0;
    }

    /// <summary>The fine-tuning data: MELD train and a seeded GoEmotions subsample; MELD dev chooses the epoch.</summary>
    internal static (IReadOnlyList<LabelledItem> Train, IReadOnlyList<LabelledItem> Dev) TextEncoderData(string datasets, int seed, int maxGoEmotions)
    {
        var meld = MeldLoader.LoadSplit(Path.Combine(datasets, "meld"), "train").Items;
        var go = DataSplits.Sample(GoEmotionsLoader.Load(Path.Combine(datasets, "goemotions"), "train").Result.Items, maxGoEmotions, seed);
        return ([.. meld, .. go], MeldLoader.LoadSplit(Path.Combine(datasets, "meld"), "dev").Items);
    }
}
