using System.Diagnostics;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>Samples this process's memory at a fixed interval until stopped (the soak's flat-memory check).</summary>
public sealed class MemorySampler : IAsyncDisposable
{
    private readonly List<MemorySample> _samples = [];
    private readonly Lock _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private MemorySampler(TimeSpan interval)
    {
        Sample();
        _loop = LoopAsync(interval);
    }

    /// <summary>Starts sampling now, then every <paramref name="interval"/>.</summary>
    public static MemorySampler Start(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        return new MemorySampler(interval);
    }

    /// <summary>Takes a last sample, stops and returns the figures.</summary>
    public async Task<MemoryFigures> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        Sample();
        lock (_gate)
        {
            return MemoryFigures.Of([.. _samples]);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task LoopAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private void Sample()
    {
        using var process = Process.GetCurrentProcess();
        // Live managed memory: the heap as the latest full (gen2) collection left it, garbage excluded.
        var background = GC.GetGCMemoryInfo(GCKind.Background);
        var blocking = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        var full = background.Index >= blocking.Index ? background : blocking;
        var live = full.Index > 0 ? (full.HeapSizeBytes - full.FragmentedBytes) / 1048576.0 : 0;
        var sample = new MemorySample(
            _clock.Elapsed.TotalSeconds,
            process.WorkingSet64 / 1048576.0,
            GC.GetTotalMemory(forceFullCollection: false) / 1048576.0,
            live,
            GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0);
        lock (_gate)
        {
            _samples.Add(sample);
        }
    }
}

/// <summary>One memory sample.</summary>
/// <param name="Seconds">Since the sampling started.</param>
/// <param name="RssMb">Resident set size (working set), MiB.</param>
/// <param name="ManagedMb">Managed heap in use, MiB, garbage not yet collected included.</param>
/// <param name="LiveManagedMb">Managed heap left by the latest full collection (what is still referenced then), MiB; 0 before the first.</param>
/// <param name="GcCommittedMb">Memory the garbage collector has committed, MiB; the rest of RSS is native (runtime, ONNX Runtime, image buffers, thread stacks, code).</param>
public sealed record MemorySample(double Seconds, double RssMb, double ManagedMb, double LiveManagedMb = 0, double GcCommittedMb = 0)
{
    /// <summary>RSS outside the garbage collector's memory, MiB.</summary>
    public double NativeMb => GcCommittedMb > 0 ? RssMb - GcCommittedMb : 0;
}

/// <summary>The process memory over a soak.</summary>
/// <param name="Samples">Every sample, in order.</param>
/// <param name="StartRssMb">RSS at the start.</param>
/// <param name="EndRssMb">RSS at the end.</param>
/// <param name="MaxRssMb">Highest RSS.</param>
/// <param name="RssSlopeMbPerMinute">Least-squares slope of RSS from <paramref name="FittedFromSeconds"/> on.</param>
/// <param name="ManagedSlopeMbPerMinute">The same for the managed heap.</param>
/// <param name="LiveManagedSlopeMbPerMinute">The same for the managed heap left by full collections.</param>
/// <param name="NativeSlopeMbPerMinute">The same for RSS outside the garbage collector's memory.</param>
/// <param name="FittedFromSeconds">Where the fit starts: after the first minute (pools, JIT and caches settle in it), or 0 for a shorter soak.</param>
/// <param name="Flat">The fitted RSS growth over the fitted stretch is within <see cref="FlatTolerance"/> of the start RSS.</param>
public sealed record MemoryFigures(IReadOnlyList<MemorySample> Samples, double StartRssMb, double EndRssMb, double MaxRssMb, double RssSlopeMbPerMinute, double ManagedSlopeMbPerMinute, double LiveManagedSlopeMbPerMinute, double NativeSlopeMbPerMinute, double FittedFromSeconds, bool Flat)
{
    /// <summary>Growth, as a share of the start RSS, still called flat.</summary>
    public const double FlatTolerance = 0.05;

    private static readonly TimeSpan Settle = TimeSpan.FromMinutes(1);

    /// <summary>The figures of <paramref name="samples"/>.</summary>
    public static MemoryFigures Of(IReadOnlyList<MemorySample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return new MemoryFigures(samples, 0, 0, 0, 0, 0, 0, 0, 0, Flat: true);
        }

        var settled = samples.Where(s => s.Seconds >= Settle.TotalSeconds).ToList();
        var fitted = settled.Count >= 3 ? settled : [.. samples];
        var rssSlope = Slope(fitted, s => s.RssMb) * 60;
        var span = fitted[^1].Seconds - fitted[0].Seconds;
        var growth = rssSlope * span / 60;
        return new MemoryFigures(
            samples,
            samples[0].RssMb,
            samples[^1].RssMb,
            samples.Max(s => s.RssMb),
            rssSlope,
            Slope(fitted, s => s.ManagedMb) * 60,
            Slope([.. fitted.Where(s => s.LiveManagedMb > 0)], s => s.LiveManagedMb) * 60,
            Slope([.. fitted.Where(s => s.GcCommittedMb > 0)], s => s.NativeMb) * 60,
            fitted[0].Seconds,
            growth <= FlatTolerance * samples[0].RssMb);
    }

    /// <summary>Least-squares slope of <paramref name="value"/> over the samples' seconds (per second).</summary>
    public static double Slope(IReadOnlyList<MemorySample> samples, Func<MemorySample, double> value)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(value);
        if (samples.Count < 2)
        {
            return 0;
        }

        var meanT = samples.Average(s => s.Seconds);
        var meanV = samples.Average(value);
        var covariance = samples.Sum(s => (s.Seconds - meanT) * (value(s) - meanV));
        var variance = samples.Sum(s => (s.Seconds - meanT) * (s.Seconds - meanT));
        return variance > 0 ? covariance / variance : 0;
    }
}
