using System.Numerics.Tensors;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>Options of <see cref="MultinomialLogisticRegression"/>.</summary>
/// <param name="L1">λ of the penalty λ·Σ|W| (the bias is not penalised).</param>
/// <param name="L2">μ of the penalty (μ/2)·Σ W² (0 for pure lasso).</param>
/// <param name="MaxIterations">Upper bound on proximal-gradient steps.</param>
/// <param name="Tolerance">Stop when no weight moves more than this in one step.</param>
/// <param name="ClassWeights">Per-class loss weights (e.g. <see cref="LabelledFeatures.BalancedClassWeights"/>); null for 1.</param>
public sealed record LogisticOptions(float L1 = 0f, float L2 = 0f, int MaxIterations = 500, float Tolerance = 1e-4f, float[]? ClassWeights = null);

/// <summary>
/// Multinomial logistic regression p = softmax(W x + b) over seven classes, fitted by FISTA
/// (accelerated proximal gradient with the soft-threshold prox for L1 and adaptive restart) on the
/// weighted mean cross-entropy. Deterministic: full-batch, fixed step 1/L from a power-iteration
/// bound, row blocks summed in a fixed order.
/// </summary>
public sealed class MultinomialLogisticRegression
{
    private const int Classes = EmotionLabels.Count;
    private const int Blocks = 16;

    private MultinomialLogisticRegression(int width, float[] weights, float[] bias, int iterations)
    {
        Width = width;
        Weights = weights;
        Bias = bias;
        Iterations = iterations;
    }

    /// <summary>Input width.</summary>
    public int Width { get; }

    /// <summary>Row-major [7, Width] weights.</summary>
    public float[] Weights { get; }

    /// <summary>Seven biases.</summary>
    public float[] Bias { get; }

    /// <summary>Proximal-gradient steps taken.</summary>
    public int Iterations { get; }

    /// <summary>Features with a non-zero weight for at least one class.</summary>
    public int[] NonZeroFeatures() =>
        [.. Enumerable.Range(0, Width).Where(j => Enumerable.Range(0, Classes).Any(c => Weights[(c * Width) + j] != 0f))];

    /// <summary>The seven logits W x + b.</summary>
    public float[] Logits(ReadOnlySpan<float> x)
    {
        var z = new float[Classes];
        for (var c = 0; c < Classes; c++)
        {
            z[c] = TensorPrimitives.Dot(Weights.AsSpan(c * Width, Width), x) + Bias[c];
        }

        return z;
    }

    /// <summary>Fits the model; <paramref name="warmStart"/> continues from an earlier fit of the same width.</summary>
    public static MultinomialLogisticRegression Fit(IReadOnlyList<float[]> x, IReadOnlyList<EmotionLabel> y, LogisticOptions options, MultinomialLogisticRegression? warmStart = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var data = new LabelledFeatures(x, y);
        var n = data.Count;
        var d = data.Width;
        var sampleWeight = new float[n];
        var classWeights = options.ClassWeights ?? [.. Enumerable.Repeat(1f, Classes)];
        for (var i = 0; i < n; i++)
        {
            sampleWeight[i] = classWeights[(int)y[i]];
        }

        var totalWeight = sampleWeight.Sum();
        if (!(totalWeight > 0))
        {
            throw new ArgumentException("Sample weights sum to zero.", nameof(options));
        }

        for (var i = 0; i < n; i++)
        {
            sampleWeight[i] /= totalWeight;
        }

        // Softmax cross-entropy has Hessian ≤ ½ Σ w_i x̃_i x̃_iᵀ (x̃ = [x; 1]) per class block.
        var step = 1f / ((0.5f * LargestEigenvalue(x, sampleWeight)) + options.L2);
        var w = warmStart is { Width: var wd } && wd == d ? (float[])warmStart.Weights.Clone() : new float[Classes * d];
        var b = warmStart is { Width: var bd } && bd == d ? (float[])warmStart.Bias.Clone() : new float[Classes];
        var wPrev = (float[])w.Clone();
        var bPrev = (float[])b.Clone();
        var wY = (float[])w.Clone();
        var bY = (float[])b.Clone();
        var gW = new float[Classes * d];
        var gB = new float[Classes];
        var t = 1.0;
        var objective = double.PositiveInfinity;
        var iteration = 0;
        while (iteration < options.MaxIterations)
        {
            iteration++;
            Gradient(x, y, sampleWeight, wY, bY, gW, gB);
            (wPrev, w) = (w, wPrev);
            (bPrev, b) = (b, bPrev);
            var threshold = step * options.L1;
            var maxMove = 0f;
            for (var k = 0; k < w.Length; k++)
            {
                var v = wY[k] - (step * (gW[k] + (options.L2 * wY[k])));
                w[k] = v > threshold ? v - threshold : v < -threshold ? v + threshold : 0f;
                maxMove = MathF.Max(maxMove, MathF.Abs(w[k] - wPrev[k]));
            }

            for (var c = 0; c < Classes; c++)
            {
                b[c] = bY[c] - (step * gB[c]);
                maxMove = MathF.Max(maxMove, MathF.Abs(b[c] - bPrev[c]));
            }

            if (maxMove < options.Tolerance)
            {
                break;
            }

            // Adaptive restart (O'Donoghue & Candès): drop the momentum when the objective rises.
            var current = Objective(x, y, sampleWeight, w, b, options);
            double momentum;
            if (current > objective)
            {
                t = 1.0;
                momentum = 0.0;
            }
            else
            {
                var tNext = (1.0 + Math.Sqrt(1.0 + (4.0 * t * t))) / 2.0;
                momentum = (t - 1.0) / tNext;
                t = tNext;
            }

            objective = current;
            for (var k = 0; k < w.Length; k++)
            {
                wY[k] = w[k] + (float)(momentum * (w[k] - wPrev[k]));
            }

            for (var c = 0; c < Classes; c++)
            {
                bY[c] = b[c] + (float)(momentum * (b[c] - bPrev[c]));
            }
        }

        return new MultinomialLogisticRegression(d, w, b, iteration);
    }

    private static double Objective(IReadOnlyList<float[]> x, IReadOnlyList<EmotionLabel> y, float[] sampleWeight, float[] w, float[] b, LogisticOptions options)
    {
        var d = x[0].Length;
        var blockLoss = new double[Blocks];
        Parallel.For(0, Blocks, block =>
        {
            Span<float> z = stackalloc float[Classes];
            var (start, end) = BlockRange(block, x.Count);
            var loss = 0.0;
            for (var i = start; i < end; i++)
            {
                Forward(x[i], w, b, d, z);
                loss += sampleWeight[i] * LogSumExpMinus(z, (int)y[i]);
            }

            blockLoss[block] = loss;
        });

        var penalty = 0.0;
        foreach (var v in w)
        {
            penalty += (options.L1 * Math.Abs(v)) + (0.5 * options.L2 * v * v);
        }

        return blockLoss.Sum() + penalty;
    }

    private static void Gradient(IReadOnlyList<float[]> x, IReadOnlyList<EmotionLabel> y, float[] sampleWeight, float[] w, float[] b, float[] gW, float[] gB)
    {
        var d = x[0].Length;
        var partW = new float[Blocks][];
        var partB = new float[Blocks][];
        Parallel.For(0, Blocks, block =>
        {
            var pw = new float[Classes * d];
            var pb = new float[Classes];
            Span<float> z = stackalloc float[Classes];
            var (start, end) = BlockRange(block, x.Count);
            for (var i = start; i < end; i++)
            {
                Forward(x[i], w, b, d, z);
                Softmax.Apply(z, z);
                z[(int)y[i]] -= 1f;
                for (var c = 0; c < Classes; c++)
                {
                    var r = z[c] * sampleWeight[i];
                    pb[c] += r;
                    var row = pw.AsSpan(c * d, d);
                    TensorPrimitives.MultiplyAdd(x[i], r, row, row);
                }
            }

            partW[block] = pw;
            partB[block] = pb;
        });

        Array.Clear(gW);
        Array.Clear(gB);
        for (var block = 0; block < Blocks; block++)
        {
            TensorPrimitives.Add(gW, partW[block], gW);
            TensorPrimitives.Add(gB, partB[block], gB);
        }
    }

    private static void Forward(float[] x, float[] w, float[] b, int d, Span<float> z)
    {
        for (var c = 0; c < Classes; c++)
        {
            z[c] = TensorPrimitives.Dot(w.AsSpan(c * d, d), x) + b[c];
        }
    }

    private static double LogSumExpMinus(ReadOnlySpan<float> z, int target)
    {
        var max = TensorPrimitives.Max(z);
        var sum = 0.0;
        foreach (var v in z)
        {
            sum += Math.Exp(v - max);
        }

        return max + Math.Log(sum) - z[target];
    }

    private static (int Start, int End) BlockRange(int block, int n) => ((int)((long)n * block / Blocks), (int)((long)n * (block + 1) / Blocks));

    /// <summary>Top eigenvalue of Σ w_i x̃_i x̃_iᵀ (x̃ = [x; 1]) by power iteration, with a 10 % margin.</summary>
    private static float LargestEigenvalue(IReadOnlyList<float[]> x, float[] sampleWeight)
    {
        var d = x[0].Length;
        var v = Enumerable.Repeat(1f / MathF.Sqrt(d + 1), d + 1).ToArray();
        var lambda = 0f;
        for (var iteration = 0; iteration < 50; iteration++)
        {
            var next = new float[d + 1];
            for (var i = 0; i < x.Count; i++)
            {
                var proj = (TensorPrimitives.Dot(x[i], v.AsSpan(0, d)) + v[d]) * sampleWeight[i];
                var head = next.AsSpan(0, d);
                TensorPrimitives.MultiplyAdd(x[i], proj, head, head);
                next[d] += proj;
            }

            var norm = TensorPrimitives.Norm(next);
            if (norm == 0f)
            {
                return 1f;
            }

            var converged = MathF.Abs(norm - lambda) < 1e-4f * norm;
            lambda = norm;
            TensorPrimitives.Divide(next, norm, v);
            if (converged)
            {
                break;
            }
        }

        return lambda * 1.1f;
    }
}
