namespace Emotion.Orleans.ModelConverter;

/// <summary>
/// TensorFlow (NHWC activations, HWIO filters) to ONNX (NCHW activations, OIHW filters) layout
/// arithmetic: filter transposition, axis mapping and TF's SAME/VALID padding.
/// </summary>
public static class Layout
{
    /// <summary>Permutation that turns an NHWC tensor into NCHW (ONNX Transpose <c>perm</c>).</summary>
    public static IReadOnlyList<long> NhwcToNchw { get; } = [0, 3, 1, 2];

    /// <summary>Permutation that turns an NCHW tensor into NHWC (ONNX Transpose <c>perm</c>).</summary>
    public static IReadOnlyList<long> NchwToNhwc { get; } = [0, 2, 3, 1];

    /// <summary>
    /// Conv2D filter <c>[kh, kw, in, out]</c> (HWIO) to ONNX Conv weights <c>[out, in, kh, kw]</c> (OIHW).
    /// </summary>
    public static float[] HwioToOihw(ReadOnlySpan<float> filter, int kernelHeight, int kernelWidth, int inputChannels, int outputChannels)
    {
        CheckLength(filter, kernelHeight, kernelWidth, inputChannels, outputChannels);
        var result = new float[filter.Length];
        for (var y = 0; y < kernelHeight; y++)
        {
            for (var x = 0; x < kernelWidth; x++)
            {
                for (var i = 0; i < inputChannels; i++)
                {
                    for (var o = 0; o < outputChannels; o++)
                    {
                        var source = (((((y * kernelWidth) + x) * inputChannels) + i) * outputChannels) + o;
                        var target = (((((o * inputChannels) + i) * kernelHeight) + y) * kernelWidth) + x;
                        result[target] = filter[source];
                    }
                }
            }
        }

        return result;
    }

    /// <summary>
    /// DepthwiseConv2dNative filter <c>[kh, kw, in, multiplier]</c> to the weights of an ONNX Conv with
    /// <c>group = in</c>: <c>[in * multiplier, 1, kh, kw]</c>, output channel <c>i * multiplier + m</c> as in TF.
    /// </summary>
    public static float[] DepthwiseToGroupedOihw(ReadOnlySpan<float> filter, int kernelHeight, int kernelWidth, int inputChannels, int multiplier)
    {
        CheckLength(filter, kernelHeight, kernelWidth, inputChannels, multiplier);
        var result = new float[filter.Length];
        for (var y = 0; y < kernelHeight; y++)
        {
            for (var x = 0; x < kernelWidth; x++)
            {
                for (var i = 0; i < inputChannels; i++)
                {
                    for (var m = 0; m < multiplier; m++)
                    {
                        var source = (((((y * kernelWidth) + x) * inputChannels) + i) * multiplier) + m;
                        var target = ((((i * multiplier) + m) * kernelHeight) + y) * kernelWidth + x;
                        result[target] = filter[source];
                    }
                }
            }
        }

        return result;
    }

    /// <summary>
    /// TF Pad <c>paddings</c> (<c>[4, 2]</c>, NHWC, before/after per dimension) to ONNX Pad <c>pads</c>
    /// for an NCHW tensor: all begins in N, C, H, W order, then all ends.
    /// </summary>
    public static long[] NhwcPaddingsToNchwPads(ReadOnlySpan<int> paddings)
    {
        if (paddings.Length != 8)
        {
            throw new ArgumentException("Expected [4, 2] paddings of a 4-D tensor.", nameof(paddings));
        }

        var pads = new long[8];
        for (var nchw = 0; nchw < 4; nchw++)
        {
            var nhwc = (int)NhwcToNchw[nchw]; // NCHW position i holds NHWC axis perm[i]
            pads[nchw] = paddings[nhwc * 2];
            pads[nchw + 4] = paddings[(nhwc * 2) + 1];
        }

        return pads;
    }

    /// <summary>The NCHW axis of an NHWC axis (negative axes count from the end of a 4-D tensor).</summary>
    public static int NhwcAxisToNchw(int axis)
    {
        var a = axis < 0 ? axis + 4 : axis;
        return a switch
        {
            0 => 0,
            1 => 2,
            2 => 3,
            3 => 1,
            _ => throw new ArgumentOutOfRangeException(nameof(axis), axis, "A 4-D tensor has axes 0..3."),
        };
    }

    /// <summary>
    /// Output size and (begin, end) padding of one spatial dimension under TF's padding rule:
    /// VALID pads nothing; SAME gives <c>ceil(in / stride)</c> outputs with the odd pixel at the end.
    /// </summary>
    public static (int Output, int PadBegin, int PadEnd) Spatial(string padding, int input, int kernel, int stride, int dilation)
    {
        var effectiveKernel = ((kernel - 1) * dilation) + 1;
        switch (padding)
        {
            case "VALID":
                return (((input - effectiveKernel) / stride) + 1, 0, 0);
            case "SAME":
                var output = (input + stride - 1) / stride;
                var total = Math.Max(((output - 1) * stride) + effectiveKernel - input, 0);
                return (output, total / 2, total - (total / 2));
            default:
                throw new NotSupportedException($"Padding '{padding}' is not supported (only SAME and VALID).");
        }
    }

    private static void CheckLength(ReadOnlySpan<float> filter, int a, int b, int c, int d)
    {
        if (filter.Length != a * b * c * d)
        {
            throw new ArgumentException($"Filter holds {filter.Length} values, expected {a}×{b}×{c}×{d}.", nameof(filter));
        }
    }
}
