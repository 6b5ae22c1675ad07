using System.Numerics.Tensors;

namespace Emotion.Orleans.Inference;

/// <summary>
/// Softens the speech head's logits for an utterance unlike every training speaker. Speaker
/// normalisation puts each feature in units of the speaker's spread, so the root mean square of the
/// normalised vector is about 1 for real speech (RAVDESS, training and held-out actors alike: median
/// 0.88, largest 1.64); a synthetic tone or a broken channel sits far beyond (a steady 130 Hz
/// tone: 2.9). A linear head extrapolates such inputs to near certainty, so beyond
/// <see cref="TypicalSpread"/> (just above the largest RAVDESS figure) the logits are divided by
/// T = (rms / <see cref="TypicalSpread"/>)²: acted speech is untouched and the fusion trusts an
/// atypical voice less.
/// </summary>
public static class OutOfDomainTemperature
{
    /// <summary>Largest root-mean-square spread of normalised features left untouched.</summary>
    public const double TypicalSpread = 1.75;

    /// <summary>The temperature for one normalised feature vector (1 within the typical spread).</summary>
    public static float Of(ReadOnlySpan<float> normalized)
    {
        if (normalized.IsEmpty)
        {
            return 1f;
        }

        var ratio = Math.Sqrt(TensorPrimitives.SumOfSquares(normalized) / normalized.Length) / TypicalSpread;
        return ratio > 1 ? (float)(ratio * ratio) : 1f;
    }

    /// <summary>Divides <paramref name="logits"/> by the temperature of <paramref name="normalized"/> in place.</summary>
    public static void Apply(Span<float> logits, ReadOnlySpan<float> normalized)
    {
        var t = Of(normalized);
        if (t > 1f)
        {
            foreach (ref var z in logits)
            {
                z /= t;
            }
        }
    }
}
