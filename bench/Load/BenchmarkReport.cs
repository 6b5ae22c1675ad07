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
/// <param name="TrueCeiling">
/// The true ceiling: the calls whose model work these cores compute, each model alone at its best
/// batch size on all cores; null when not run.
/// </param>
/// <param name="CallsHeldToCeiling">
/// <paramref name="MaxCallsHeld"/> ÷ the true ceiling's calls: the share of the cores' capacity the
/// pipeline turns into live calls; null without a true ceiling.
/// </param>
/// <param name="SameBatchReplay">
/// The same-batch replay: the models directly on the media the pipeline took in, in the batch sizes
/// its workers formed; null when not run.
/// </param>
/// <param name="PipelineToSameBatchReplay">
/// Calls' worth of media the pipeline took in at the highest count that held (else the last step)
/// ÷ calls' worth the same-batch replay processes per second: Orleans' cost at the pipeline's own
/// batching, not a capacity figure; null without the replay.
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
    TrueCeilingFigures? TrueCeiling,
    double? CallsHeldToCeiling,
    SameBatchFigures? SameBatchReplay,
    double? PipelineToSameBatchReplay)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The process memory sampled over the last soak (long mode), or null.</summary>
    public MemoryFigures? Memory { get; init; }

    /// <summary>Every soak, in order (a failed soak is followed by one at 0.8 of the true ceiling or an eighth smaller: <see cref="LoadBenchmark.NextSoakCount"/>, up to the attempts allowed); null without a soak. <see cref="Soak"/> is the last.</summary>
    public IReadOnlyList<StepFigures>? Soaks { get; init; }

    /// <summary>The calls a soak held for its whole length (0 when none held); null without a soak.</summary>
    public int? SustainedCalls { get; init; }

    // Every soak; a report from before the soak attempts has only Soak.
    private IReadOnlyList<StepFigures> AllSoaks => Soaks ?? (Soak is null ? [] : [Soak]);

    /// <summary><see cref="SustainedCalls"/> ÷ the true ceiling's calls; null without either.</summary>
    public double? SustainedToCeiling => SustainedCalls is { } calls && TrueCeiling is { Calls: > 0 } t ? calls / t.Calls : null;

    /// <summary>One line on the soak's memory.</summary>
    public static string DescribeMemory(MemoryFigures memory)
    {
        ArgumentNullException.ThrowIfNull(memory);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"memory over the soak: RSS {memory.StartRssMb:0} MiB at the start, {memory.EndRssMb:0} MiB at the end (max {memory.MaxRssMb:0}); slope from {memory.FittedFromSeconds:0} s on {Signed(memory.RssSlopeMbPerMinute)} MiB/min RSS, {Signed(memory.ManagedSlopeMbPerMinute)} MiB/min managed heap (garbage included), {Signed(memory.LiveManagedSlopeMbPerMinute)} MiB/min live managed heap after full collections ({Live(memory.Samples[0])} → {Live(memory.Samples[^1])} MiB), {Signed(memory.NativeSlopeMbPerMinute)} MiB/min native (RSS outside the GC's committed memory, {memory.Samples[0].NativeMb:0} → {memory.Samples[^1].NativeMb:0} MiB); {(memory.Flat ? "flat" : "GROWING")} (fitted growth {(memory.Flat ? "within" : "above")} {MemoryFigures.FlatTolerance:P0} of the start RSS), {memory.Samples.Count} samples");
    }

    // "+0.00" / "-1.25": a slope that rounds to zero prints as +0.00, not as a negative zero ("-+0.00").
    private static string Signed(double value)
    {
        var rounded = Math.Round(value, 2);
        return (rounded == 0 ? 0 : rounded).ToString("+0.00;-0.00", CultureInfo.InvariantCulture);
    }

    private static string Live(MemorySample sample) => sample.LiveManagedMb > 0 ? sample.LiveManagedMb.ToString("0", CultureInfo.InvariantCulture) : "-";

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
        text.AppendLine(inv, $"max concurrent calls per silo at the standard profile: {MaxCallsHeld} (p99 event→result ≤ {MaxP99Ms:0} ms, nothing dropped or refused, at most {Profile.MaxFaceShed:P0} of the frames shed)");
        if (reference is not null)
        {
            text.AppendLine(inv, $"latency at {reference.Calls} calls{(held is null ? " (did not hold)" : "")} (ms, p50 / p95 / p99):");
            text.AppendLine(inv, $"  event→result, all results   {Triple(reference.EventToResult)}   (on the result stream: {Triple(reference.StreamEventToResult)})");
            foreach (var (name, m) in reference.Modalities)
            {
                var shed = name == "face" && reference.ShedFrames is { } frames ? $", {frames} shed ({reference.FaceShedShare:P1})" : "";
                text.AppendLine(inv, $"  {name,-6} round trip {Triple(m.RoundTrip)}   event→result {Triple(m.EventToResult)}   ({m.Sent} sent, {m.Dropped} dropped, {m.Refused + m.Failed} refused{shed})");
            }

            text.AppendLine(inv, $"  {reference.ResultsPerSecond:0.0} results/s; this process used {reference.ProcessCpuCores:0.00} of {Machine.Cores} cores (machine {(reference.MachineCpu is { } mc ? mc.ToString("P0", inv) : "n/a")} busy, load average {Machine.LoadAverage ?? "n/a"})");
        }

        if (TrueCeiling is { } t)
        {
            text.AppendLine(inv, $"true ceiling (each model alone at its best batch size, {t.Parallel} runs at once): one call needs {t.CoreSecondsPerCallSecond:0.000} cores of CPU ({t.CallsPerCore:0.00} calls per core) → {t.Calls:0.0} calls on {t.Cores} cores (from wall-clock throughput as this process got the cores: {t.WallCalls:0.0})");
            foreach (var s in t.Stages)
            {
                text.AppendLine(inv, $"  {s.Stage,-34} {s.PerCallSecond,7:0.000}/call-s  best batch {s.BestBatch,2}  {s.PerCoreSecond,9:0.0}/core-s ({s.PerSecond:0.0}/s on {s.ProcessCpuCores:0.00} cores)  → {100 * s.CoreSecondsPerCallSecond / t.CoreSecondsPerCallSecond,5:0.0} % of a call's CPU");
            }

            if (CallsHeldToCeiling is { } ratio)
            {
                text.AppendLine(inv, $"calls held / true ceiling: {ratio:0.00} ({MaxCallsHeld} of {t.Calls:0.0} calls)");
            }

            if (held?.ProcessCpuCores is > 0 && t.CallsPerCore > 0)
            {
                text.AppendLine(inv, $"per core of CPU this process got: pipeline {held.DeliveredCalls / held.ProcessCpuCores.Value:0.00} calls, true ceiling {t.CallsPerCore:0.00} calls");
            }
        }

        if (SameBatchReplay is { } c && PipelineToSameBatchReplay is { } replayRatio && reference is not null)
        {
            // The replay copies the workers' batch sizes: it prices Orleans' overhead at that batching, not capacity.
            text.AppendLine(inv, $"same-batch replay (models directly, batches {c.Batches}; Orleans' overhead at the pipeline's own batching, not a capacity figure): {c.CallsEquivalent:0.00} calls' worth per second on {c.ProcessCpuCores:0.00} cores; pipeline / replay {replayRatio:0.00}");
        }

        if (SustainedCalls is { } sustained && Soaks is { Count: > 0 } soaks)
        {
            var tried = string.Join(", ", soaks.Select(s => string.Create(inv, $"{s.Calls} {(s.Held(TimeSpan.FromMilliseconds(MaxP99Ms), Profile.MaxFaceShed) ? "held" : "failed")}")));
            text.AppendLine(inv, $"sustained (a {Soak!.MeasuredSeconds / 60:0}-minute soak held): {(sustained > 0 ? $"{sustained} calls" : "none of the counts soaked")} (soaks: {tried}){(SustainedToCeiling is { } r && sustained > 0 ? string.Create(inv, $"; sustained / true ceiling: {r:0.00}") : "")}");
        }

        foreach (var soak in AllSoaks)
        {
            if (soak.Windows is { Count: > 0 } windows)
            {
                text.AppendLine(inv, $"soak at {soak.Calls} minute by minute (p99 event→result ms, frames shed, dropped, cores): {string.Join("; ", windows.Select(w => string.Create(inv, $"{w.EventToResult.P99 ?? 0:0} {(w.FaceShedShare is { } share ? share.ToString("P1", inv) : "n/a")} {w.Dropped} {w.ProcessCpuCores:0.00}")))}");
            }
        }

        if (Memory is { } memory)
        {
            text.AppendLine(DescribeMemory(memory));
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
        md.AppendLine(inv, $"Profile per call: 16 kHz audio in {Profile.AudioChunkMs:0} ms chunks, a transcript segment every ~{Profile.TextEverySeconds:0.#} s, {Profile.FramesPerSecond:0.#} frames/s ({Profile.FrameSize} JPEG, {(Profile.Face ? "a drawn face in every frame" : "no face")}); step {Profile.StepSeconds:0} s (first {Profile.WarmUpSeconds:0.#} s not measured){(Profile.ConfirmSeconds is { } confirm ? $", the count found confirmed in a {confirm:0} s step" : "")}; an input more than {Profile.MaxLagMs:0} ms late is dropped (frames are sent as the camera gives them; the call's admission control may shed at most {Profile.MaxFaceShed:P0} of them in a step that holds){(Profile.CallSeconds is { } callSeconds ? $"; each call lasts {callSeconds:0} s, then a new call takes its place (concurrent calls constant)" : "")}{(Profile.RetentionSeconds is { } retentionSeconds ? $"; ended calls' timelines kept {retentionSeconds:0} s (Calls:EndedCallRetention)" : "")}.");
        md.AppendLine();
        md.AppendLine("```");
        md.Append(Summary());
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine("| calls | held | measured s | event→result p50 / p95 / p99 ms | text round trip p50 / p99 | speech round trip p50 / p99 | face round trip p50 / p99 | results/s | dropped | refused | frames shed | process CPU (cores) | machine CPU |");
        md.AppendLine("|---:|:---:|---:|---|---|---|---|---:|---:|---:|---:|---:|---:|");
        var soakSteps = AllSoaks;
        foreach (var s in Steps.Concat(soakSteps))
        {
            var held = s.Held(TimeSpan.FromMilliseconds(MaxP99Ms), Profile.MaxFaceShed) ? "yes" : "no";
            md.AppendLine(inv, $"| {s.Calls}{(soakSteps.Contains(s) ? " (soak)" : "")} | {held} | {s.MeasuredSeconds:0} | {Triple(s.EventToResult)} | {Pair(s.Modalities["text"].RoundTrip)} | {Pair(s.Modalities["speech"].RoundTrip)} | {Pair(s.Modalities["face"].RoundTrip)} | {s.ResultsPerSecond:0.0} | {s.Dropped} | {s.Refused} | {(s.FaceShedShare is { } shed ? shed.ToString("P1", inv) : "n/a")} | {s.ProcessCpuCores:0.00} | {(s.MachineCpu is { } mc ? mc.ToString("P0", inv) : "n/a")} |");
        }

        foreach (var soak in soakSteps)
        {
            if (soak.Windows is not { Count: > 0 } windows)
            {
                continue;
            }

            md.AppendLine();
            md.AppendLine(inv, $"The soak at {soak.Calls} calls minute by minute:");
            md.AppendLine();
            md.AppendLine("| from s | s | results/s | event→result p50 / p95 / p99 ms | max ms | dropped | refused | frames shed | process CPU (cores) |");
            md.AppendLine("|---:|---:|---:|---|---:|---:|---:|---:|---:|");
            foreach (var w in windows)
            {
                md.AppendLine(inv, $"| {w.FromSeconds:0} | {w.Seconds:0} | {w.ResultsPerSecond:0.0} | {Triple(w.EventToResult)} | {w.EventToResult.Max:0} | {w.Dropped} | {w.Refused} | {(w.FaceShedShare is { } shed ? shed.ToString("P1", inv) : "n/a")} | {w.ProcessCpuCores:0.00} |");
            }
        }

        if (TrueCeiling is { } t)
        {
            md.AppendLine();
            md.AppendLine(inv, $"True ceiling: each stage's models called directly (no Orleans), {t.Parallel} runs at once, {t.PointSeconds:0.#} s per batch size, on the profile's media; the CPU one call needs per second of call ({t.CoreSecondsPerCallSecond:0.000} cores) against the {t.Cores} cores: {t.Calls:0.0} calls ({t.WallCalls:0.0} from wall-clock throughput). Calls held ÷ true ceiling = {CallsHeldToCeiling:0.00}.");
            md.AppendLine();
            md.AppendLine("| stage | need per call-second | best batch | per core-second | per second (cores used) | batch: per core-second tried |");
            md.AppendLine("|---|---:|---:|---:|---:|---|");
            foreach (var s in t.Stages)
            {
                var tried = s.Tried is null ? "not batched" : string.Join(", ", s.Tried.Select(p => string.Create(inv, $"{p.Batch}: {p.PerCoreSecond:0.0}")));
                md.AppendLine(inv, $"| {s.Stage} | {s.PerCallSecond:0.000} | {s.BestBatch} | {s.PerCoreSecond:0.0} | {s.PerSecond:0.0} ({s.ProcessCpuCores:0.00}) | {tried} |");
            }
        }

        if (SameBatchReplay is { } c)
        {
            md.AppendLine();
            md.AppendLine(inv, $"Same-batch replay (Orleans' overhead at the pipeline's own batching; it copies the workers' batch sizes, so it cannot show lost capacity): the same models called directly, batches {c.Batches} (mean text {c.TextBatchMean:0.0}, speech {c.SpeechBatchMean:0.0}, face {c.FaceBatchMean:0.0}), on the media of the {(Steps.LastOrDefault(s => s.Calls == MaxCallsHeld) ?? Steps[^1]).Calls}-call step: {c.WallSeconds:0.00} s wall (text {c.TextSeconds:0.00} s, speech {c.SpeechSeconds:0.00} s for {c.Utterances} utterances, face {c.FaceSeconds:0.00} s, fusion {c.FusionSeconds:0.000} s, side by side), {c.CallsEquivalent:0.0} calls' worth per second; pipeline ÷ replay = {PipelineToSameBatchReplay:0.00}.");
        }

        if (Memory is { } memory)
        {
            md.AppendLine();
            md.AppendLine(DescribeMemory(memory) + ".");
            md.AppendLine();
            md.AppendLine("| s | RSS MiB | managed MiB (garbage included) | live managed MiB (after the latest full GC) | GC committed MiB | native MiB (RSS − GC committed) |");
            md.AppendLine("|---:|---:|---:|---:|---:|---:|");
            foreach (var sample in memory.Samples)
            {
                md.AppendLine(inv, $"| {sample.Seconds:0} | {sample.RssMb:0.0} | {sample.ManagedMb:0.0} | {sample.LiveManagedMb:0.0} | {sample.GcCommittedMb:0.0} | {sample.NativeMb:0.0} |");
            }
        }

        return md.ToString();
    }

    /// <summary>One line for a window of a step, as it ends.</summary>
    public static string DescribeWindow(StepWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        var e = window.EventToResult;
        return string.Create(CultureInfo.InvariantCulture, $"  {window.FromSeconds,4:0}–{window.FromSeconds + window.Seconds:0} s: event→result p50/p95/p99/max {Triple(e)} / {e.Max ?? 0:0} ms | {window.ResultsPerSecond:0.0} results/s, dropped {window.Dropped}, refused {window.Refused}, frames shed {(window.FaceShedShare is { } shed ? shed.ToString("P1", CultureInfo.InvariantCulture) : "n/a")}, cpu {window.ProcessCpuCores:0.00} cores");
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
/// <param name="CallSeconds">How long each call lasts before a new one takes its place; null for calls as long as the step.</param>
/// <param name="RetentionSeconds">How long the embedded silo keeps an ended call's timeline; null for the silo's setting.</param>
/// <param name="ConfirmSeconds">Length of the step that confirmed the count the search found; null for none.</param>
/// <param name="MaxFaceShed">The share of frames admission control may shed in a step that holds.</param>
public sealed record CallProfile(double AudioChunkMs, double TextEverySeconds, double FramesPerSecond, string FrameSize, double StepSeconds, double WarmUpSeconds, double MaxLagMs, bool Face, double? CallSeconds = null, double? RetentionSeconds = null, double? ConfirmSeconds = null, double MaxFaceShed = StepFigures.DefaultMaxFaceShed)
{
    /// <summary>The profile of <paramref name="options"/>.</summary>
    public static CallProfile Of(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.AudioChunk.TotalMilliseconds, options.TextInterval.TotalSeconds, options.FramesPerSecond, $"{SyntheticMedia.FrameWidth}×{SyntheticMedia.FrameHeight}", options.StepDuration.TotalSeconds, options.WarmUp.TotalSeconds, options.MaxLag.TotalMilliseconds, options.Face, options.CallLength?.TotalSeconds, options.Redis is null ? options.Retention?.TotalSeconds : null, options.Calls is null && options.ConfirmStep > options.StepDuration ? options.ConfirmStep.TotalSeconds : null, options.MaxFaceShed);
    }
}
