namespace Emotion.Orleans.Inference.Tests;

public sealed class OutOfDomainTemperatureTests
{
    [Fact]
    public void Features_within_the_typical_spread_leave_the_logits_as_they_are()
    {
        float[] logits = [3f, -1f, 0.5f];
        float[] normalized = [2f, -2f, 1f, -1f]; // rms 1.58

        OutOfDomainTemperature.Apply(logits, normalized);

        Assert.Equal(1f, OutOfDomainTemperature.Of(normalized));
        Assert.Equal([3f, -1f, 0.5f], logits);
    }

    [Fact]
    public void Features_twice_the_typical_spread_divide_the_logits_by_four()
    {
        float[] logits = [8f, -4f, 2f];
        float[] normalized = [3.5f, -3.5f, 3.5f, -3.5f]; // rms 3.5 = 2 × 1.75

        OutOfDomainTemperature.Apply(logits, normalized);

        Assert.Equal(4f, OutOfDomainTemperature.Of(normalized), 4);
        Assert.Equal([2f, -1f, 0.5f], logits);
    }

    [Fact]
    public void The_temperature_grows_with_the_spread_and_never_sharpens()
    {
        var previous = 0f;
        foreach (var spread in new[] { 0f, 1f, 2f, 2.5f, 3f, 5f })
        {
            var t = OutOfDomainTemperature.Of([spread, -spread]);
            Assert.True(t >= 1f && t >= previous, $"spread {spread}: T {t}");
            previous = t;
        }

        Assert.Equal(1f, OutOfDomainTemperature.Of([]));
    }
}
