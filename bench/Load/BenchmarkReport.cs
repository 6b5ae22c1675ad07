using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>The machine a benchmark ran on.</summary>
/// <param name="Cores">Logical cores.</param>
/// <param name="Cpu">CPU model (Linux), or null.</param>
/// <param name="Os">Operating system.</param>
/// <param name="Runtime">.NET runtime.</param>
/// <param name="LoadAverage">1/5/15-minute load average at the start (Linux), or null: other work on the machine skews the figures.</param>
public sealed record MachineInfo(int Cores, string? Cpu, string Os, string Runtime, string? LoadAverage)
{
    /// <summary>This machine, now.</summary>
    public static MachineInfo Current() => new(
        Environment.ProcessorCount,
        ReadFirst("/proc/cpuinfo", l => l.StartsWith("model name", StringComparison.Ordinal) ? l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() : null),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        ReadFirst("/proc/loadavg", l => string.Join(' ', l.Split(' ').Take(3))));

    private static string? ReadFirst(string path, Func<string, string?> pick)
    {
        try
        {
            return File.Exists(path) ? File.ReadLines(path).Select(pick).FirstOrDefault(v => v is not null) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>Everything one run of the generator measured.</summary>
/// <param name="Date">When it ran (UTC).</param>
/// <param name="Commit">The repository commit (with "-dirty" when the tree had changes), or "unknown".</param>
/// <param name="Machine">The machine.</param>
/// <param name="Mode">Short or long.</param>
/// <param name="Target">"embedded silo" or the cluster.</param>
/// <param name="OnnxRuntime">Execution provider and intra-op threads of the models in this process, when known.</param>
/// <param name="Profile">The call profile.</param>
/// <param name="MaxP99Ms">The latency bound.</param>
/// <param name="Steps">Every step, in order.</param>
/// <param name="MaxCallsHeld">The highest number of concurrent calls that held.</param>
/// <param name="Soak">The soak step (long mode), or null.</param>
/// <param name="Ceiling">The ceiling run, or null.</param>
/// <param name="PipelineToCeiling">
/// Calls' worth of media the pipeline took in at the highest count that held (else the last step)
/// ÷ calls' worth the models alone process per second on the same media; null without a ceiling.
/// </param>
public sealed record BenchmarkReport(
    DateTimeOffset Date,
    string Commit,
    MachineInfo Machine,
    string Mode,
    string Target,
    string? OnnxRuntime,
    CallProfile Profile,
    double MaxP99Ms,
    IReadOnlyList<StepFigures> Steps,
    int MaxCallsHeld,
    StepFigures? Soak,
    CeilingFigures? Ceiling,
    double? PipelineToCeiling)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The commit of the repository around <paramref name="folder"/>.</summary>
    public static string CommitOf(string folder)
    {
        string? Git(string arguments)
        {
            try
            {
                using var git = Process.Start(new ProcessStartInfo("git", arguments) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
                if (git is null)
                {
                    return null;
                }

                var output = git.StandardOutput.ReadToEnd().Trim();
                return git.WaitForExit(10_000) && git.ExitCode == 0 ? output : null;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return null;
            }
        }

        var head = Git("rev-parse --short=12 HEAD");
        return head is null ? "unknown" : Git("status --porcelain --untracked-files=no") is { Length: > 0 } ? $"{head}-dirty" : head;
    }

    /// <summary>The results folder: <c>bench/results</c> of the repository above <paramref name="start"/>, else under it.</summary>
    public static string DefaultFolder(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Emotion.Orleans.sln")))
            {
                return Path.Combine(dir.FullName, "bench", "results");
            }
        }

        return Path.Combine(start, "bench", "results");
    }

    /// <summary>Writes <c>load-&lt;date&gt;-&lt;mode&gt;.json</c> and <c>.md</c>; returns their paths.</summary>
    public (string Json, string Markdown) Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var name = $"load-{Date.UtcDateTime:yyyyMMdd-HHmmss}-{Mode}";
        var json = Path.Combine(folder, name + ".json");
        var markdown = Path.Combine(folder, name + ".md");
        File.WriteAllText(json, JsonSerializer.Serialize(this, Json));
        File.WriteAllText(markdown, ToMarkdown());
        return (json, markdown);
    }

    /// <summary>The summary printed at the end and put in the README.</summary>
    public string Summary()
    {
        var held = Steps.LastOrDefault(s => s.Calls == MaxCallsHeld);
        var reference = held ?? (Steps.Count > 0 ? Steps[^1] : null);
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"max concurrent calls per silo at the standard profile: {MaxCallsHeld} (p99 event→result ≤ {MaxP99Ms:0} ms, nothing dropped or refused)");
        if (reference is not null)
        {
            text.AppendLine(inv, $"latency at {reference.Calls} calls{(held is null ? " (did not hold)" : "")} (ms, p50 / p95 / p99):");
            text.AppendLine(inv, $"  event→result, all results   {Triple(reference.EventToResult)}   (on the result stream: {Triple(reference.StreamEventToResult)})");
            foreach (var (name, m) in reference.Modalities)
            {
                text.AppendLine(inv, $"  {name,-6} round trip {Triple(m.RoundTrip)}   event→result {Triple(m.EventToResult)}   ({m.Sent} sent, {m.Dropped} dropped, {m.Refused + m.Failed} refused)");
            }

            text.AppendLine(inv, $"  {reference.ResultsPerSecond:0.0} results/s; this process used {reference.ProcessCpuCores:0.00} of {Machine.Cores} cores (machine {(reference.MachineCpu is { } mc ? mc.ToString("P0", inv) : "n/a")} busy, load average {Machine.LoadAverage ?? "n/a"})");
        }

        if (Ceiling is { } c && PipelineToCeiling is { } ratio && reference is not null)
        {
            var pipelineRef = held ?? reference;
            text.AppendLine(inv, $"ceiling (same models, ONNX Runtime directly, batches {c.Batches}): {c.CallsEquivalent:0.00} calls' worth of media per second, using {c.ProcessCpuCores:0.00} cores");
            text.AppendLine(inv, $"pipeline / ceiling throughput: {ratio:0.00} (pipeline {pipelineRef.DeliveredCalls:0.00} calls' worth at {pipelineRef.Calls} calls)");
            if (pipelineRef.ProcessCpuCores is > 0 && c.ProcessCpuCores > 0)
            {
                text.AppendLine(inv, $"per core of CPU this process got: pipeline {pipelineRef.DeliveredCalls / pipelineRef.ProcessCpuCores:0.00} calls, ceiling {c.CallsEquivalent / c.ProcessCpuCores:0.00} calls");
            }
        }

        return text.ToString();
    }

    /// <summary>The Markdown results table.</summary>
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine(inv, $"# Load benchmark, {Mode} mode — {Date.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        md.AppendLine(inv, $"Commit `{Commit}`; {Machine.Cores} cores ({Machine.Cpu ?? "unknown CPU"}), {Machine.Os}, {Machine.Runtime}; load average at start {Machine.LoadAverage ?? "n/a"}; target: {Target}; ONNX Runtime: {OnnxRuntime ?? "n/a"}.");
        md.AppendLine(inv, $"Profile per call: 16 kHz audio in {Profile.AudioChunkMs:0} ms chunks, a transcript segment every ~{Profile.TextEverySeconds:0.#} s, {Profile.FramesPerSecond:0.#} frames/s ({Profile.FrameSize} JPEG, {(Profile.Face ? "a drawn face in every frame" : "no face")}); step {Profile.StepSeconds:0} s (first {Profile.WarmUpSeconds:0.#} s not measured); an input more than {Profile.MaxLagMs:0} ms late is dropped.");
        md.AppendLine();
        md.AppendLine("```");
        md.Append(Summary());
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine("| calls | held | event→result p50 / p95 / p99 ms | text round trip p50 / p99 | speech round trip p50 / p99 | face round trip p50 / p99 | results/s | dropped | refused | process CPU (cores) | machine CPU |");
        md.AppendLine("|---:|:---:|---|---|---|---|---:|---:|---:|---:|---:|");
        foreach (var s in Steps.Concat(Soak is null ? [] : [Soak]))
        {
            var held = s.Held(TimeSpan.FromMilliseconds(MaxP99Ms)) ? "yes" : "no";
            md.AppendLine(inv, $"| {s.Calls}{(ReferenceEquals(s, Soak) ? " (soak)" : "")} | {held} | {Triple(s.EventToResult)} | {Pair(s.Modalities["text"].RoundTrip)} | {Pair(s.Modalities["speech"].RoundTrip)} | {Pair(s.Modalities["face"].RoundTrip)} | {s.ResultsPerSecond:0.0} | {s.Dropped} | {s.Refused} | {s.ProcessCpuCores:0.00} | {(s.MachineCpu is { } mc ? mc.ToString("P0", inv) : "n/a")} |");
        }

        if (Ceiling is { } c)
        {
            md.AppendLine();
            md.AppendLine(inv, $"Ceiling: the same models called directly (no Orleans), batches {c.Batches} (mean text {c.TextBatchMean:0.0}, speech {c.SpeechBatchMean:0.0}, face {c.FaceBatchMean:0.0}), on the media of the {(Steps.LastOrDefault(s => s.Calls == MaxCallsHeld) ?? Steps[^1]).Calls}-call step: {c.WallSeconds:0.00} s wall (text {c.TextSeconds:0.00} s, speech {c.SpeechSeconds:0.00} s for {c.Utterances} utterances, face {c.FaceSeconds:0.00} s, fusion {c.FusionSeconds:0.000} s, side by side), {c.CallsEquivalent:0.0} calls' worth per second; pipeline ÷ ceiling = {PipelineToCeiling:0.00}.");
        }

        return md.ToString();
    }

    private static string Triple(LatencySummary s) => s.P50 is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{s.P50:0} / {s.P95:0} / {s.P99:0}");

    private static string Pair(LatencySummary s) => s.P50 is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{s.P50:0} / {s.P99:0}");
}

/// <summary>The call profile of a run.</summary>
/// <param name="AudioChunkMs">Audio chunk length.</param>
/// <param name="TextEverySeconds">Mean time between transcript segments.</param>
/// <param name="FramesPerSecond">Frames per second.</param>
/// <param name="FrameSize">Frame size and format.</param>
/// <param name="StepSeconds">Step length.</param>
/// <param name="WarmUpSeconds">Unmeasured start of a step.</param>
/// <param name="MaxLagMs">Sender drop threshold.</param>
/// <param name="Face">Whether the frames show a face.</param>
public sealed record CallProfile(double AudioChunkMs, double TextEverySeconds, double FramesPerSecond, string FrameSize, double StepSeconds, double WarmUpSeconds, double MaxLagMs, bool Face)
{
    /// <summary>The profile of <paramref name="options"/>.</summary>
    public static CallProfile Of(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.AudioChunk.TotalMilliseconds, options.TextInterval.TotalSeconds, options.FramesPerSecond, $"{SyntheticMedia.FrameWidth}×{SyntheticMedia.FrameHeight}", options.StepDuration.TotalSeconds, options.WarmUp.TotalSeconds, options.MaxLag.TotalMilliseconds, options.Face);
    }
}
