namespace Emotion.Orleans.LoadGenerator;

/// <summary>
/// Latencies in milliseconds and their percentiles (nearest rank), kept as a histogram with
/// buckets 1 % wide, so a 10-minute soak at hundreds of inputs a second holds the same few
/// kilobytes from start to end (a list of every value grew the very heap the soak measures).
/// A percentile is its bucket's geometric middle, within 0.5 % of the exact value, clamped to the
/// smallest and largest value seen (both exact). Not thread-safe.
/// </summary>
public sealed class LatencySeries
{
    /// <summary>Relative width of a bucket.</summary>
    public const double Resolution = 0.01;

    // 1 µs to about 3 hours in 1 % steps; anything outside lands in the first or last bucket.
    private const double Smallest = 0.001;
    private const int BucketCount = 2400;
    private static readonly double LogStep = Math.Log(1 + Resolution);

    private readonly long[] _buckets = new long[BucketCount];
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;

    /// <summary>Number of values.</summary>
    public int Count { get; private set; }

    /// <summary>Adds one latency.</summary>
    public void Add(TimeSpan latency)
    {
        var ms = latency.TotalMilliseconds;
        _buckets[Bucket(ms)]++;
        _min = Math.Min(_min, ms);
        _max = Math.Max(_max, ms);
        Count++;
    }

    /// <summary>Adds every value of another series.</summary>
    public void AddRange(LatencySeries other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < BucketCount; i++)
        {
            _buckets[i] += other._buckets[i];
        }

        _min = Math.Min(_min, other._min);
        _max = Math.Max(_max, other._max);
        Count += other.Count;
    }

    /// <summary>The summary; percentiles are null when there are no values.</summary>
    public LatencySummary Summarize()
    {
        if (Count == 0)
        {
            return new LatencySummary(0, null, null, null, null);
        }

        double At(double p)
        {
            var rank = Math.Clamp((long)Math.Ceiling(p * Count), 1, Count);
            long seen = 0;
            for (var i = 0; i < BucketCount; i++)
            {
                seen += _buckets[i];
                if (seen >= rank)
                {
                    return Math.Clamp(Middle(i), _min, _max);
                }
            }

            return _max;
        }

        return new LatencySummary(Count, At(0.50), At(0.95), At(0.99), _max);
    }

    private static int Bucket(double ms) =>
        ms <= Smallest ? 0 : Math.Min((int)(Math.Log(ms / Smallest) / LogStep), BucketCount - 1);

    private static double Middle(int bucket) => Smallest * Math.Exp((bucket + 0.5) * LogStep);
}

/// <summary>Percentiles of a latency series, in milliseconds.</summary>
/// <param name="Count">Number of values.</param>
/// <param name="P50">Median.</param>
/// <param name="P95">95th percentile.</param>
/// <param name="P99">99th percentile.</param>
/// <param name="Max">Largest value.</param>
public sealed record LatencySummary(int Count, double? P50, double? P95, double? P99, double? Max);
