namespace Emotion.Orleans.Grains.Tests;

/// <summary>Compares floats within an absolute tolerance (batched model runs differ in the last bits).</summary>
public sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
{
    public bool Equals(float x, float y) => MathF.Abs(x - y) <= tolerance;

    public int GetHashCode(float obj) => 0;
}
