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
    /// <summary>All clips of the folder, read by <see cref="RavdessLoader"/> (labels checked against file names).</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FormatException">labels.csv lacks a column.</exception>
    public static IReadOnlyList<RavdessClip> Load(string directory) =>
        [.. RavdessLoader.Load(directory).Items.Select(item => new RavdessClip(item.Content, item.Label, int.Parse(item.Group!, CultureInfo.InvariantCulture)))];

    /// <summary>Reads a WAV file as 16 kHz mono float samples (first channel; other rates resampled).</summary>
    /// <exception cref="InvalidInputException">The audio is empty, too long or at an unsupported rate.</exception>
    public static float[] ReadWav(string path, TimeSpan? maxDuration = null)
    {
        using var stream = File.OpenRead(path);
        var wave = new WaveFile(stream);
        return PcmAudio.FromFloat(wave.Signals[0].Samples, wave.WaveFmt.SamplingRate, maxDuration);
    }
}
