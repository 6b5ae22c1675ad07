namespace Emotion.Orleans.Inference;

/// <summary>
/// MediaPipe's weighted non-maximum suppression: the best remaining detection absorbs every
/// detection overlapping it by more than the threshold; the merged box is their score-weighted
/// mean, the score the best one's.
/// </summary>
public static class WeightedSuppression
{
    /// <summary>Merges overlapping detections, most confident first.</summary>
    /// <param name="candidates">Detections with positive width and height.</param>
    /// <param name="iouThreshold">Overlap (IoU) above which a detection joins the best one; in (0, 1].</param>
    /// <exception cref="ArgumentOutOfRangeException">The threshold lies outside (0, 1].</exception>
    public static IReadOnlyList<FaceBox> Merge(IEnumerable<FaceBox> candidates, float iouThreshold)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (!(iouThreshold is > 0f and <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(iouThreshold), iouThreshold, "The suppression IoU must lie in (0, 1].");
        }

        var remaining = candidates.OrderByDescending(c => c.Score).ToList();
        var merged = new List<FaceBox>();
        while (remaining.Count > 0)
        {
            // The best detection always joins its own group, even at threshold 1 where IoU(best, best)
            // = 1 is not above it; otherwise it would stay in the list for ever.
            var best = remaining[0];
            float x0 = best.X * best.Score, y0 = best.Y * best.Score;
            float x1 = (best.X + best.Width) * best.Score, y1 = (best.Y + best.Height) * best.Score;
            var total = best.Score;
            var kept = new List<FaceBox>(remaining.Count);
            for (var i = 1; i < remaining.Count; i++)
            {
                var c = remaining[i];
                if (Iou(best, c) > iouThreshold)
                {
                    x0 += c.X * c.Score;
                    y0 += c.Y * c.Score;
                    x1 += (c.X + c.Width) * c.Score;
                    y1 += (c.Y + c.Height) * c.Score;
                    total += c.Score;
                }
                else
                {
                    kept.Add(c);
                }
            }

            // A lone detection is kept as it is, not rebuilt through the weighted sums' rounding.
            merged.Add(kept.Count == remaining.Count - 1 || !(total > 0f)
                ? best
                : new FaceBox(x0 / total, y0 / total, (x1 - x0) / total, (y1 - y0) / total, best.Score));
            remaining = kept;
        }

        return merged;
    }

    /// <summary>Intersection over union of two boxes; 0 when they do not overlap.</summary>
    public static float Iou(FaceBox a, FaceBox b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var w = MathF.Min(a.X + a.Width, b.X + b.Width) - MathF.Max(a.X, b.X);
        var h = MathF.Min(a.Y + a.Height, b.Y + b.Height) - MathF.Max(a.Y, b.Y);
        if (!(w > 0f && h > 0f))
        {
            return 0f;
        }

        var intersection = w * h;
        return intersection / ((a.Width * a.Height) + (b.Width * b.Height) - intersection);
    }
}
