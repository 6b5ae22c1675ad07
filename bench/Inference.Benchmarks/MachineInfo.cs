using System.Diagnostics;
using System.Reflection;
using System.Runtime;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Emotion.Orleans.Inference.Benchmarks;

/// <summary>What the figures were measured on.</summary>
internal sealed record MachineInfo(
    DateTime StartedUtc,
    int LogicalCores,
    string Cpu,
    string Os,
    string Runtime,
    string OnnxRuntime,
    string Provider,
    string IntraOpThreads,
    string GarbageCollector,
    bool InferenceOptimized,
    string? LoadAverage)
{
    public static MachineInfo Collect(BenchOptions options, OnnxSessionFactory sessions) => new(
        DateTime.UtcNow,
        Environment.ProcessorCount,
        CpuModel(),
        RuntimeInformation.OSDescription + " " + RuntimeInformation.OSArchitecture,
        RuntimeInformation.FrameworkDescription,
        OrtEnv.Instance().GetVersionString(),
        sessions.UsesCuda ? "CUDA" : "CPU",
        options.Threads > 0 ? $"{options.Threads} intra-op, sequential execution" : "ORT default intra-op (one per physical core), sequential execution",
        (GCSettings.IsServerGC ? "server" : "workstation") + (GCSettings.LatencyMode == GCLatencyMode.Interactive ? ", concurrent" : string.Empty),
        IsOptimized(typeof(MiniLmEncoder).Assembly),
        ReadLoadAverage());

    /// <summary>The 1, 5 and 15 minute load averages: other processes on the cores make every figure slower.</summary>
    public static string? ReadLoadAverage()
    {
        const string path = "/proc/loadavg";
        if (!File.Exists(path))
        {
            return null;
        }

        var fields = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 3 ? string.Join(' ', fields[..3]) : null;
    }

    public void Print(TextWriter writer)
    {
        writer.WriteLine($"machine: {LogicalCores} logical cores, {Cpu}");
        writer.WriteLine($"os: {Os}; {Runtime}; GC {GarbageCollector}");
        writer.WriteLine($"onnx runtime: {OnnxRuntime} on {Provider}; threads: {IntraOpThreads}");
        writer.WriteLine($"load average at start (1/5/15 min): {LoadAverage ?? "n/a"}");
        if (IsLoaded(LoadAverage, LogicalCores))
        {
            writer.WriteLine("WARNING: other processes keep the cores busy (1-minute load above the core count): every figure is slower than on a quiet machine,");
            writer.WriteLine("         and ORT's default of one intra-op thread per core suffers most; compare with --threads 1.");
        }

        if (!InferenceOptimized)
        {
            writer.WriteLine("WARNING: Emotion.Orleans.Inference was built without optimisation; build with -c Release for real figures.");
        }
    }

    /// <summary>Whether a "1 5 15" load average says the cores were already fully busy.</summary>
    public static bool IsLoaded(string? loadAverage, int cores) =>
        loadAverage is not null
        && double.TryParse(loadAverage.Split(' ')[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var oneMinute)
        && oneMinute > cores;

    private static string CpuModel()
    {
        const string path = "/proc/cpuinfo";
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal))
                {
                    return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                }
            }
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static bool IsOptimized(Assembly assembly) =>
        assembly.GetCustomAttribute<DebuggableAttribute>() is not { IsJITOptimizerDisabled: true };
}
