namespace Emotion.Orleans.Inference.Tests;

public sealed class GatedFusionTests
{
    [Fact]
    public void A_slot_weighted_below_its_share_is_blended_towards_the_fused_embedding()
    {
        float[] a = [.. Enumerable.Repeat(1f, 7)];
        float[] b = [.. Enumerable.Repeat(2f, 7)];
        float[] fused = [.. Enumerable.Repeat(10f, 7)];

        // Two present: even share 0.5; τ = 0.5 keeps a slot intact down to α = 0.25.
        var input = FusionModel.GatedMlpInput([a, b, null], fused, [0.8f, 0.2f, 0f], gateShare: 0.5f);

        Assert.Equal(a, input[..7]);
        Assert.All(input[7..14], v => Assert.Equal((0.8f * 2f) + (0.2f * 10f), v, 5)); // g = 0.2 · 2 / 0.5
        Assert.Equal(fused, input[14..]); // missing slot
        Assert.Throws<ArgumentOutOfRangeException>(() => FusionModel.GatedMlpInput([a, b, null], fused, [0.5f, 0.5f, 0f], gateShare: 0f));
    }

    [Fact]
    public void Without_gating_present_slots_are_passed_unchanged()
    {
        float[] a = [.. Enumerable.Repeat(1f, 7)];
        float[] fused = [.. Enumerable.Repeat(3f, 7)];

        var input = FusionModel.MlpInput([a, null, a], fused);

        Assert.Equal(a, input[..7]);
        Assert.Equal(fused, input[7..14]);
        Assert.Equal(a, input[14..]);
    }
}
