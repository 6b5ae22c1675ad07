using System.Diagnostics;

namespace Emotion.Orleans.Inference.Benchmarks;

/// <summary>Times actions with warm-up and takes the median.</summary>
internal static class Sampler
{
    /// <summary>
    /// Runs the actions round-robin (rotating which goes first) and returns each one's median
    /// wall time in milliseconds. Interleaving makes a pipeline and its raw model run see the same
    /// machine load, so their ratio holds even when other processes compete for the cores.
    /// </summary>
    public static Sample[] Interleaved(SamplingPlan plan, params Action[] actions)
    {
        var warmupStarted = Stopwatch.GetTimestamp();
        for (var w = 0; w < plan.WarmupRuns || Stopwatch.GetElapsedTime(warmupStarted) < plan.WarmupTime; w++)
        {
            foreach (var action in actions)
            {
                action();
            }
        }

        var times = actions.Select(_ => new List<double>()).ToArray();
        var started = Stopwatch.GetTimestamp();
        for (var run = 0; run < plan.MaxRuns; run++)
        {
            if (run >= plan.MinRuns && Stopwatch.GetElapsedTime(started) >= plan.Budget)
            {
                break;
            }

            for (var k = 0; k < actions.Length; k++)
            {
                var index = (run + k) % actions.Length;
                var start = Stopwatch.GetTimestamp();
                actions[index]();
                times[index].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        return times.Select(Sample.Of).ToArray();
    }
}

/// <summary>Median and spread of one measurement, in milliseconds per call.</summary>
internal readonly record struct Sample(double Median, double P10, double P90, int Runs)
{
    public static Sample Of(List<double> times)
    {
        times.Sort();
        return new Sample(Quantile(times, 0.5), Quantile(times, 0.1), Quantile(times, 0.9), times.Count);
    }

    private static double Quantile(List<double> sorted, double q)
    {
        var position = q * (sorted.Count - 1);
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }
}
