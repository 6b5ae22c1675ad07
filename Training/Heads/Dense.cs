using System.Numerics.Tensors;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>Trainable affine layer (row-major [Out, In] weights) with its gradient buffers.</summary>
internal sealed class Dense
{
    public Dense(int inputs, int outputs, Random random)
    {
        In = inputs;
        Out = outputs;
        W = new float[inputs * outputs];
        B = new float[outputs];
        // PyTorch's nn.Linear default: U(−1/√in, 1/√in) for weights and bias.
        var bound = 1f / MathF.Sqrt(inputs);
        for (var i = 0; i < W.Length; i++)
        {
            W[i] = ((float)random.NextDouble() * 2f - 1f) * bound;
        }

        for (var i = 0; i < B.Length; i++)
        {
            B[i] = ((float)random.NextDouble() * 2f - 1f) * bound;
        }
    }

    public int In { get; }

    public int Out { get; }

    public float[] W { get; }

    public float[] B { get; }

    public void Forward(ReadOnlySpan<float> x, Span<float> y)
    {
        for (var o = 0; o < Out; o++)
        {
            y[o] = TensorPrimitives.Dot(W.AsSpan(o * In, In), x) + B[o];
        }
    }

    /// <summary>Adds dL/dW, dL/db into <paramref name="gW"/>, <paramref name="gB"/>; writes dL/dx into <paramref name="dx"/> unless empty.</summary>
    public void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> gW, Span<float> gB, Span<float> dx)
    {
        if (!dx.IsEmpty)
        {
            dx.Clear();
        }

        for (var o = 0; o < Out; o++)
        {
            var g = dy[o];
            if (g == 0f)
            {
                continue;
            }

            gB[o] += g;
            var row = gW.Slice(o * In, In);
            TensorPrimitives.MultiplyAdd(x, g, row, row);
            if (!dx.IsEmpty)
            {
                TensorPrimitives.MultiplyAdd(W.AsSpan(o * In, In), g, dx, dx);
            }
        }
    }

    public DenseLayer ToLayer() => new(In, Out, (float[])W.Clone(), (float[])B.Clone());

    public (float[] W, float[] B) Snapshot() => ((float[])W.Clone(), (float[])B.Clone());

    public void Restore((float[] W, float[] B) state)
    {
        state.W.CopyTo(W, 0);
        state.B.CopyTo(B, 0);
    }
}

/// <summary>
/// Adam (Kingma &amp; Ba) over a fixed list of parameter arrays, with L2 weight decay added to the
/// gradient of the arrays flagged as weights (as PyTorch's <c>Adam(weight_decay)</c>, biases excluded).
/// </summary>
internal sealed class Adam
{
    private readonly IReadOnlyList<float[]> _parameters;
    private readonly bool[] _decay;
    private readonly float[][] _m;
    private readonly float[][] _v;
    private readonly float _learningRate;
    private readonly float _weightDecay;
    private int _t;

    public Adam(IReadOnlyList<(float[] Values, bool Decay)> parameters, float learningRate, float weightDecay)
    {
        _parameters = [.. parameters.Select(p => p.Values)];
        _decay = [.. parameters.Select(p => p.Decay)];
        _m = [.. _parameters.Select(p => new float[p.Length])];
        _v = [.. _parameters.Select(p => new float[p.Length])];
        _learningRate = learningRate;
        _weightDecay = weightDecay;
    }

    public void Step(IReadOnlyList<float[]> gradients, float scale)
    {
        const float Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-8f;
        _t++;
        var c1 = 1f - MathF.Pow(Beta1, _t);
        var c2 = 1f - MathF.Pow(Beta2, _t);
        for (var p = 0; p < _parameters.Count; p++)
        {
            var values = _parameters[p];
            var grad = gradients[p];
            var m = _m[p];
            var v = _v[p];
            var decay = _decay[p] ? _weightDecay : 0f;
            for (var i = 0; i < values.Length; i++)
            {
                var g = (grad[i] * scale) + (decay * values[i]);
                m[i] = (Beta1 * m[i]) + ((1f - Beta1) * g);
                v[i] = (Beta2 * v[i]) + ((1f - Beta2) * g * g);
                values[i] -= _learningRate * (m[i] / c1) / (MathF.Sqrt(v[i] / c2) + Epsilon);
            }
        }
    }
}

/// <summary>Cross-entropy helpers.</summary>
internal static class CrossEntropy
{
    /// <summary>Writes softmax(z) − onehot(y), times <paramref name="weight"/>, into <paramref name="gradient"/>; returns weight·CE.</summary>
    public static float Gradient(ReadOnlySpan<float> logits, int label, float weight, Span<float> gradient)
    {
        Softmax.Apply(logits, gradient);
        var loss = -MathF.Log(MathF.Max(gradient[label], 1e-30f)) * weight;
        gradient[label] -= 1f;
        TensorPrimitives.Multiply(gradient, weight, gradient);
        return loss;
    }
}
