using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>
/// Per-class logit offsets that lift the recall of chosen classes to a floor: a call centre would
/// rather flag an angry, sad or frightened caller too often than miss one. Starting from zero, the
/// class furthest below its floor gets one more step of offset until every floor is met on the
/// calibration data (or its offset reaches the cap), so the offsets are the smallest such steps and
/// classes without a floor keep 0. Added to a classifier's bias they change no other weight.
/// </summary>
public static class RecallFloors
{
    /// <summary>Finds the offsets.</summary>
    /// <param name="logits">Calibration logits, one row of <see cref="EmotionLabels.Count"/> per item.</param>
    /// <param name="labels">True labels of the rows.</param>
    /// <param name="floors">Recall floor (0–1) per class.</param>
    /// <param name="step">Offset increment.</param>
    /// <param name="maxOffset">Largest offset of any class.</param>
    /// <returns>One offset per class.</returns>
    /// <exception cref="ArgumentException">Lengths differ or a row is not one logit per class.</exception>
    public static float[] Offsets(IReadOnlyList<float[]> logits, IReadOnlyList<EmotionLabel> labels, IReadOnlyDictionary<EmotionLabel, double> floors, float step = 0.05f, float maxOffset = 3f)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(floors);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step);
        ArgumentOutOfRangeException.ThrowIfNegative(maxOffset);
        if (logits.Count != labels.Count || logits.Any(row => row.Length != EmotionLabels.Count))
        {
            throw new ArgumentException($"Need one row of {EmotionLabels.Count} logits per label; got {logits.Count} rows for {labels.Count} labels.", nameof(logits));
        }

        var offsets = new float[EmotionLabels.Count];
        while (true)
        {
            var recall = Recall(logits, labels, offsets);
            var below = floors
                .Where(f => !double.IsNaN(recall[(int)f.Key]) && recall[(int)f.Key] < f.Value && offsets[(int)f.Key] + step <= maxOffset + 1e-6f)
                .OrderByDescending(f => f.Value - recall[(int)f.Key])
                .ThenBy(f => f.Key)
                .ToArray();
            if (below.Length == 0)
            {
                return offsets;
            }

            offsets[(int)below[0].Key] += step;
        }
    }

    /// <summary>Recall per class with <paramref name="offsets"/> added to the logits; NaN for a class with no items.</summary>
    public static double[] Recall(IReadOnlyList<float[]> logits, IReadOnlyList<EmotionLabel> labels, IReadOnlyList<float> offsets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(offsets);
        var hits = new int[EmotionLabels.Count];
        var totals = new int[EmotionLabels.Count];
        for (var i = 0; i < logits.Count; i++)
        {
            var best = 0;
            for (var c = 1; c < EmotionLabels.Count; c++)
            {
                if (logits[i][c] + offsets[c] > logits[i][best] + offsets[best])
                {
                    best = c;
                }
            }

            totals[(int)labels[i]]++;
            if (best == (int)labels[i])
            {
                hits[best]++;
            }
        }

        return [.. hits.Select((h, c) => totals[c] == 0 ? double.NaN : h / (double)totals[c])];
    }
}
