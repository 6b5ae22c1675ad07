using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Emotion.Orleans.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>
/// What one write of a call session's state costs in the storage formats (<c>--storage-cost</c>): the
/// state holds the call's latest results (up to a timeline page), so each write serialises them all
/// again. Prints bytes, CPU and allocation per write for Orleans' default storage format (JSON) and the
/// embedded silo's storage format, at several numbers of results.
/// </summary>
public static class StorageCost
{
    /// <summary>Numbers of latest results the state is measured with (a page is 100 by default).</summary>
    public static IReadOnlyList<int> ResultCounts { get; } = [5, 20, 50, 99];

    /// <summary>Measures and prints, using the serializers registered in <paramref name="silo"/>.</summary>
    /// <param name="silo">The embedded silo's services (built, not necessarily started).</param>
    /// <param name="log">Where the table goes.</param>
    /// <param name="each">How long each serializer runs at each number of results.</param>
    public static void Run(IServiceProvider silo, TextWriter log, TimeSpan each)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(log);
        var defaultFormat = silo.GetRequiredService<IGrainStorageSerializer>();
        var embedded = silo.GetRequiredService<IOptionsMonitor<MemoryGrainStorageOptions>>().Get(CallStreams.Storage).GrainStorageSerializer ?? defaultFormat;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"session state write: default storage format {defaultFormat.GetType().Name}, embedded silo's {embedded.GetType().Name}; {each.TotalSeconds:0.#} s each"));
        foreach (var count in ResultCounts)
        {
            var state = new CallSessionState { State = CallState.Active, Results = [.. Enumerable.Range(1, count).Select(i => Result(i))], ResultCount = count, LastSequence = count };
            foreach (var (name, serializer) in new[] { ("default", defaultFormat), ("embedded", embedded) })
            {
                var bytes = serializer.Serialize(state).ToMemory().Length;
                var (cpuMs, allocated) = Measure(() => serializer.Serialize(state), each);
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {count,3} results, {name,-8} ({serializer.GetType().Name}): {bytes,7} bytes, {cpuMs:0.000} ms CPU per write ({cpuMs * 1000 / count:0.0} µs per result), {allocated / 1024:0} KiB allocated per write"));
            }
        }
    }

    // CPU of the whole process (the GC's threads included) and this thread's allocations, per call.
    private static (double CpuMs, double Allocated) Measure(Action write, TimeSpan each)
    {
        for (var i = 0; i < 20; i++)
        {
            write();
        }

        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var n = 0;
        for (; clock.Elapsed < each; n++)
        {
            write();
        }

        process.Refresh();
        return ((process.TotalProcessorTime - cpu).TotalMilliseconds / n, (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)n);
    }

    // A result as the live pipeline makes them: three modalities, seven probabilities each.
    private static FusedResult Result(long sequence)
    {
        var random = new Random((int)sequence);
        EmotionDistribution Distribution()
        {
            var p = Enumerable.Range(0, EmotionDistribution.Labels.Length).Select(_ => (float)random.NextDouble()).ToArray();
            var sum = p.Sum();
            return new EmotionDistribution([.. p.Select(x => x / sum)]);
        }

        var (start, end) = (TimeSpan.FromSeconds(sequence), TimeSpan.FromSeconds(sequence + 1));
        ImmutableArray<ModalityContribution> modalities =
        [
            new(InputModality.Text, Distribution(), 0.3f, start, end),
            new(InputModality.Speech, Distribution(), 0.4f, start, end),
            new(InputModality.Face, Distribution(), 0.3f, start, end),
        ];
        return new FusedResult("tenant/load-000000-000000-c000", sequence, start, end, Distribution(), [0.3f, 0.4f, 0.3f], modalities, FusionTrigger.Cadence, null);
    }
}
