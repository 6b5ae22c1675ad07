using Emotion.Orleans.ModelConverter;

namespace Emotion.Orleans.Inference.Tests;

public sealed class ConvertedModelLayoutTests
{
    [Fact]
    public void Layout_moves_each_HWIO_filter_value_to_its_OIHW_position()
    {
        // [kh=2, kw=1, in=2, out=3]: value = 100y + 10i + o, so each value names its own position.
        var filter = new float[2 * 1 * 2 * 3];
        for (var y = 0; y < 2; y++)
        {
            for (var i = 0; i < 2; i++)
            {
                for (var o = 0; o < 3; o++)
                {
                    filter[(((y * 2) + i) * 3) + o] = (100 * y) + (10 * i) + o;
                }
            }
        }

        var oihw = Layout.HwioToOihw(filter, 2, 1, 2, 3);

        // [o, i, y, x] row-major.
        Assert.Equal([0f, 100f, 10f, 110f, 1f, 101f, 11f, 111f, 2f, 102f, 12f, 112f], oihw);
    }

    [Fact]
    public void Layout_groups_depthwise_filters_by_input_channel_then_multiplier()
    {
        // [kh=1, kw=2, in=2, multiplier=2]: value = 100x + 10i + m.
        float[] filter = [0, 1, 10, 11, 100, 101, 110, 111];

        var grouped = Layout.DepthwiseToGroupedOihw(filter, 1, 2, 2, 2);

        // [i*2+m, 1, 1, x]: output channel 1 is input 0, multiplier 1, as TF numbers them.
        Assert.Equal([0f, 100f, 1f, 101f, 10f, 110f, 11f, 111f], grouped);
    }

    [Fact]
    public void Layout_reorders_NHWC_paddings_into_NCHW_begins_then_ends()
    {
        // TF [[n0,n1],[h0,h1],[w0,w1],[c0,c1]].
        int[] paddings = [1, 2, 3, 4, 5, 6, 7, 8];

        var pads = Layout.NhwcPaddingsToNchwPads(paddings);

        // ONNX [n0, c0, h0, w0, n1, c1, h1, w1].
        Assert.Equal([1L, 7L, 3L, 5L, 2L, 8L, 4L, 6L], pads);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 2)]
    [InlineData(2, 3)]
    [InlineData(3, 1)]
    [InlineData(-1, 1)]
    public void Layout_maps_NHWC_axes_to_NCHW_axes(int nhwc, int nchw) =>
        Assert.Equal(nchw, Layout.NhwcAxisToNchw(nhwc));

    [Theory]
    [InlineData("SAME", 128, 5, 2, 64, 1, 2)] // odd total padding: the extra pixel goes at the end, as in TF
    [InlineData("SAME", 64, 3, 1, 64, 1, 1)]
    [InlineData("SAME", 16, 2, 2, 8, 0, 0)]
    [InlineData("SAME", 15, 3, 2, 8, 1, 1)]
    [InlineData("VALID", 64, 3, 2, 31, 0, 0)]
    [InlineData("VALID", 8, 1, 1, 8, 0, 0)]
    public void Layout_pads_like_TensorFlow(string padding, int input, int kernel, int stride, int output, int begin, int end) =>
        Assert.Equal((output, begin, end), Layout.Spatial(padding, input, kernel, stride, 1));
}
