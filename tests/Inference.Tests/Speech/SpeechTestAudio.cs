using NWaves.Audio;

namespace Emotion.Orleans.Inference.Tests;

/// <summary>Audio for the speech tests: synthetic signals and RAVDESS clips (when the datasets are present).</summary>
internal static class SpeechTestAudio
{
    private static readonly Lazy<SileroVad> SharedVad = new(() => SileroVad.Load());

    /// <summary>One VAD for all tests (the session is shared and thread-safe).</summary>
    public static SileroVad Vad => SharedVad.Value;

    public static float[] Sine(double frequency, TimeSpan duration, float amplitude = 0.5f, int sampleRate = PcmAudio.SampleRate)
    {
        var samples = new float[(int)(duration.TotalSeconds * sampleRate)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = amplitude * (float)Math.Sin(2 * Math.PI * frequency * i / sampleRate);
        }

        return samples;
    }

    public static float[] Noise(TimeSpan duration, float sigma, int seed)
    {
        var random = new Random(seed);
        var samples = new float[PcmAudio.Samples(duration)];
        for (var i = 0; i < samples.Length; i++)
        {
            // Box-Muller.
            var u = 1 - random.NextDouble();
            samples[i] = sigma * (float)(Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        return samples;
    }

    public static float[] Concat(params float[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>The RAVDESS folder; skips the calling test when it is absent.</summary>
    public static string RavdessFolder()
    {
        var root = TestDatasets.Root;
        Skip.If(root is null, "No labelled datasets (set EMOTION_DATASETS).");
        var folder = Path.Combine(root!, "ravdess");
        Skip.IfNot(File.Exists(Path.Combine(folder, "labels.csv")), $"{folder} is absent.");
        return folder;
    }

    /// <summary>A RAVDESS clip as 16 kHz samples; skips the calling test when the datasets are absent.</summary>
    public static float[] RavdessClip(string relativePath = "Actor_01/03-01-05-02-01-01-01.wav")
    {
        var path = Path.Combine(RavdessFolder(), relativePath);
        using var stream = File.OpenRead(path);
        var wave = new WaveFile(stream);
        return PcmAudio.FromFloat(wave.Signals[0].Samples, wave.WaveFmt.SamplingRate);
    }
}
