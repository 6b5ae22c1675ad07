using System.Numerics.Tensors;

namespace Emotion.Orleans.Inference;

/// <summary>An affine map y = W x + b with W stored row-major as [outputs, inputs].</summary>
public sealed class DenseLayer
{
    /// <summary>Creates the layer.</summary>
    /// <exception cref="ArgumentException">The shapes disagree or a weight is not finite.</exception>
    public DenseLayer(int inputs, int outputs, float[] weights, float[] bias)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(bias);
        if (weights.Length != inputs * outputs)
        {
            throw new ArgumentException($"Expected {outputs}×{inputs} = {inputs * outputs} weights, got {weights.Length}.", nameof(weights));
        }

        if (bias.Length != outputs)
        {
            throw new ArgumentException($"Expected {outputs} biases, got {bias.Length}.", nameof(bias));
        }

        if (!AllFinite(weights) || !AllFinite(bias))
        {
            throw new ArgumentException("Layer parameters must be finite.", nameof(weights));
        }

        Inputs = inputs;
        Outputs = outputs;
        Weights = weights;
        Bias = bias;
    }

    /// <summary>Input width.</summary>
    public int Inputs { get; }

    /// <summary>Output width.</summary>
    public int Outputs { get; }

    /// <summary>Row-major [Outputs, Inputs] weights.</summary>
    public float[] Weights { get; }

    /// <summary>Biases, one per output.</summary>
    public float[] Bias { get; }

    /// <summary>Writes W x + b into <paramref name="output"/>.</summary>
    public void Apply(ReadOnlySpan<float> input, Span<float> output)
    {
        if (input.Length != Inputs || output.Length != Outputs)
        {
            throw new ArgumentException($"Layer maps {Inputs} → {Outputs}; got {input.Length} → {output.Length}.");
        }

        var weights = Weights.AsSpan();
        for (var o = 0; o < Outputs; o++)
        {
            output[o] = TensorPrimitives.Dot(weights.Slice(o * Inputs, Inputs), input) + Bias[o];
        }
    }

    /// <summary>Returns W x + b.</summary>
    public float[] Apply(ReadOnlySpan<float> input)
    {
        var output = new float[Outputs];
        Apply(input, output);
        return output;
    }

    private static bool AllFinite(float[] values)
    {
        foreach (var v in values)
        {
            if (!float.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }
}
