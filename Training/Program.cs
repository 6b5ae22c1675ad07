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

        Console.Error.WriteLine("usage: emotion-train <train|evaluate|speech-cnn> [options]");
        return args.Length == 0 ? 2 : 0;
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
}
