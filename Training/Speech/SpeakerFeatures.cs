using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>
/// Per-speaker normalisation of a split's speech features with <see cref="SpeakerNormalizer"/>,
/// either with each speaker's statistics over all of their clips (training, and the
/// "whole-speaker" evaluation) or running, clip by clip in a seeded random order per speaker, as a
/// live call accumulates them (each clip normalised by the statistics up to and including itself).
/// </summary>
public static class SpeakerFeatures
{
    /// <summary>Each row normalised by its speaker's statistics over all of the speaker's rows.</summary>
    public static float[][] WholeSpeaker(IReadOnlyList<float[]> features, IReadOnlyList<string> speakers, SpeakerNormalizer normalizer)
    {
        ArgumentNullException.ThrowIfNull(normalizer);
        var statistics = SpeakerNormalizer.Statistics(features, speakers);
        return [.. features.Select((x, i) => normalizer.Normalize(x, statistics[speakers[i]]))];
    }

    /// <summary>Each row normalised by its speaker's running statistics, speakers' clips visited in a seeded random order.</summary>
    public static float[][] Running(IReadOnlyList<float[]> features, IReadOnlyList<string> speakers, SpeakerNormalizer normalizer, int seed)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(speakers);
        ArgumentNullException.ThrowIfNull(normalizer);
        var order = Enumerable.Range(0, features.Count).ToArray();
        new Random(seed).Shuffle(order);
        var running = new Dictionary<string, SpeakerStatistics>(StringComparer.Ordinal);
        var rows = new float[features.Count][];
        foreach (var i in order)
        {
            var s = (running.TryGetValue(speakers[i], out var found) ? found : SpeakerStatistics.Empty(normalizer.Width)).Add(features[i]);
            running[speakers[i]] = s;
            rows[i] = normalizer.Normalize(features[i], s);
        }

        return rows;
    }
}
