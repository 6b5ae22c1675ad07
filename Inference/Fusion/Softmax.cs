namespace Emotion.Orleans.Inference;

/// <summary>Numerically stable softmax, plain and masked.</summary>
public static class Softmax
{
    /// <summary>softmax(x) into <paramref name="output"/> (max-subtracted, so large logits do not overflow).</summary>
    public static void Apply(ReadOnlySpan<float> logits, Span<float> output)
    {
        if (logits.Length == 0 || output.Length != logits.Length)
        {
            throw new ArgumentException("Softmax needs a non-empty input and an output of the same length.");
        }

        var max = float.NegativeInfinity;
        foreach (var v in logits)
        {
            max = MathF.Max(max, v);
        }

        var sum = 0f;
        for (var i = 0; i < logits.Length; i++)
        {
            output[i] = MathF.Exp(logits[i] - max);
            sum += output[i];
        }

        for (var i = 0; i < output.Length; i++)
        {
            output[i] /= sum;
        }
    }

    /// <summary>Returns softmax(x).</summary>
    public static float[] Apply(ReadOnlySpan<float> logits)
    {
        var output = new float[logits.Length];
        Apply(logits, output);
        return output;
    }

    /// <summary>
    /// Softmax over the entries whose <paramref name="present"/> flag is set; absent entries get
    /// exactly 0 and the present ones renormalise among themselves. All absent gives all zeros.
    /// </summary>
    public static float[] Masked(ReadOnlySpan<float> scores, ReadOnlySpan<bool> present)
    {
        if (scores.Length != present.Length)
        {
            throw new ArgumentException("Scores and presence mask must have the same length.");
        }

        var output = new float[scores.Length];
        var max = float.NegativeInfinity;
        for (var i = 0; i < scores.Length; i++)
        {
            if (present[i])
            {
                max = MathF.Max(max, scores[i]);
            }
        }

        if (float.IsNegativeInfinity(max))
        {
            return output;
        }

        var sum = 0f;
        for (var i = 0; i < scores.Length; i++)
        {
            if (present[i])
            {
                output[i] = MathF.Exp(scores[i] - max);
                sum += output[i];
            }
        }

        for (var i = 0; i < output.Length; i++)
        {
            output[i] /= sum;
        }

        return output;
    }
}
