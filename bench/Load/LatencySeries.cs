namespace Emotion.Orleans.LoadGenerator;

/// <summary>Latencies in milliseconds and their percentiles (nearest rank). Not thread-safe.</summary>
public sealed class LatencySeries
{
    private readonly List<double> _values = [];

    /// <summary>Number of values.</summary>
    public int Count => _values.Count;

    /// <summary>Adds one latency.</summary>
    public void Add(TimeSpan latency) => _values.Add(latency.TotalMilliseconds);

    /// <summary>Adds every value of another series.</summary>
    public void AddRange(LatencySeries other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _values.AddRange(other._values);
    }

    /// <summary>The summary; percentiles are null when there are no values.</summary>
    public LatencySummary Summarize()
    {
        if (_values.Count == 0)
        {
            return new LatencySummary(0, null, null, null, null);
        }

        var sorted = _values.Order().ToArray();
        double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new LatencySummary(sorted.Length, At(0.50), At(0.95), At(0.99), sorted[^1]);
    }
}

/// <summary>Percentiles of a latency series, in milliseconds.</summary>
/// <param name="Count">Number of values.</param>
/// <param name="P50">Median.</param>
/// <param name="P95">95th percentile.</param>
/// <param name="P99">99th percentile.</param>
/// <param name="Max">Largest value.</param>
public sealed record LatencySummary(int Count, double? P50, double? P95, double? P99, double? Max);
