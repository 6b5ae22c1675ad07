using System.Globalization;
using Emotion.Orleans.Inference;
using NWaves.Audio;

namespace Emotion.Orleans.Training;

/// <summary>One labelled RAVDESS recording.</summary>
/// <param name="Path">Absolute path of the WAV file.</param>
/// <param name="Label">Project label (calm counts as neutral).</param>
/// <param name="Actor">Actor id (1–24); odd ids are male.</param>
public sealed record RavdessClip(string Path, EmotionLabel Label, int Actor);

/// <summary>Reads a RAVDESS folder in the shared layout (<c>labels.csv</c> + <c>Actor_NN/*.wav</c>).</summary>
public static class RavdessClips
{
    /// <summary>All clips listed in <c>labels.csv</c> under <paramref name="directory"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no labels.csv.</exception>
    /// <exception cref="FormatException">A row is malformed.</exception>
    public static IReadOnlyList<RavdessClip> Load(string directory)
    {
        var labels = System.IO.Path.Combine(directory, "labels.csv");
        if (!File.Exists(labels))
        {
            throw new FileNotFoundException($"RAVDESS labels not found at '{labels}'.", labels);
        }

        var lines = File.ReadAllLines(labels);
        var header = lines[0].Split(',');
        var pathColumn = Array.IndexOf(header, "path");
        var labelColumn = Array.IndexOf(header, "emotion7");
        var actorColumn = Array.IndexOf(header, "actor");
        if (pathColumn < 0 || labelColumn < 0 || actorColumn < 0)
        {
            throw new FormatException($"'{labels}' lacks one of the columns path, emotion7, actor.");
        }

        var clips = new List<RavdessClip>(lines.Length - 1);
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var cells = line.Split(',');
            clips.Add(new RavdessClip(
                System.IO.Path.GetFullPath(System.IO.Path.Combine(directory, cells[pathColumn])),
                EmotionLabels.Parse(cells[labelColumn]),
                int.Parse(cells[actorColumn], CultureInfo.InvariantCulture)));
        }

        return clips;
    }

    /// <summary>Reads a WAV file as 16 kHz mono float samples (first channel; other rates resampled).</summary>
    /// <exception cref="InvalidInputException">The audio is empty, too long or at an unsupported rate.</exception>
    public static float[] ReadWav(string path, TimeSpan? maxDuration = null)
    {
        using var stream = File.OpenRead(path);
        var wave = new WaveFile(stream);
        return PcmAudio.FromFloat(wave.Signals[0].Samples, wave.WaveFmt.SamplingRate, maxDuration);
    }
}
