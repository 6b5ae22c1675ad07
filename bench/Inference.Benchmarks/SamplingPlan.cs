namespace Emotion.Orleans.Inference.Benchmarks;

/// <summary>How many times each measurement runs.</summary>
/// <param name="WarmupRuns">Untimed runs first (JIT, ORT arena growth, caches).</param>
/// <param name="MinRuns">Timed runs at least.</param>
/// <param name="MaxRuns">Timed runs at most.</param>
/// <param name="Budget">Timed runs go on, up to <paramref name="MaxRuns"/>, until this much time has passed.</param>
internal sealed record SamplingPlan(int WarmupRuns, int MinRuns, int MaxRuns, TimeSpan Budget)
{
    public static SamplingPlan Full { get; } = new(2, 7, 60, TimeSpan.FromSeconds(1.5));

    public static SamplingPlan Quick { get; } = new(1, 3, 10, TimeSpan.FromSeconds(0.25));
}
