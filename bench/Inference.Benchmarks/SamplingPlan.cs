namespace Emotion.Orleans.Inference.Benchmarks;

/// <summary>How many times each measurement runs.</summary>
/// <param name="WarmupRuns">Untimed runs first (JIT tiers, ORT arena growth, caches).</param>
/// <param name="WarmupTime">Untimed runs go on until this much time has passed too: tiered JIT promotes hot code only after it has run a while.</param>
/// <param name="MinRuns">Timed runs at least.</param>
/// <param name="MaxRuns">Timed runs at most.</param>
/// <param name="Budget">Timed runs go on, up to <paramref name="MaxRuns"/>, until this much time has passed.</param>
internal sealed record SamplingPlan(int WarmupRuns, TimeSpan WarmupTime, int MinRuns, int MaxRuns, TimeSpan Budget)
{
    public static SamplingPlan Full { get; } = new(2, TimeSpan.FromSeconds(0.5), 5, 40, TimeSpan.FromSeconds(1.0));

    public static SamplingPlan Quick { get; } = new(1, TimeSpan.FromSeconds(0.2), 3, 10, TimeSpan.FromSeconds(0.25));
}
