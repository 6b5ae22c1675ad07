using System.Diagnostics;
using System.Globalization;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>CPU use between two points: this process (in cores) and the whole machine (Linux /proc/stat).</summary>
internal sealed class CpuSampler
{
    private readonly TimeSpan _processStart;
    private readonly (long Busy, long Total)? _machineStart;
    private readonly Stopwatch _wall = Stopwatch.StartNew();

    private CpuSampler()
    {
        _processStart = Process.GetCurrentProcess().TotalProcessorTime;
        _machineStart = ReadMachine();
    }

    /// <summary>Starts measuring now.</summary>
    public static CpuSampler Start() => new();

    /// <summary>Process CPU in cores and machine CPU as a fraction of all cores, since the start.</summary>
    public (double ProcessCores, double? Machine) Stop()
    {
        var wall = _wall.Elapsed.TotalSeconds;
        var process = (Process.GetCurrentProcess().TotalProcessorTime - _processStart).TotalSeconds / Math.Max(wall, 1e-9);
        double? machine = null;
        if (_machineStart is { } start && ReadMachine() is { } end && end.Total > start.Total)
        {
            machine = (end.Busy - start.Busy) / (double)(end.Total - start.Total);
        }

        return (process, machine);
    }

    private static (long Busy, long Total)? ReadMachine()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").FirstOrDefault(l => l.StartsWith("cpu ", StringComparison.Ordinal));
            if (line is null)
            {
                return null;
            }

            var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();

            // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
            var total = values.Take(8).Sum();
            var idle = values[3] + (values.Length > 4 ? values[4] : 0);
            return (total - idle, total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
