using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Emotion.Orleans.Inference.Benchmarks;

/// <summary>Everything one bench run measured; written with <c>--json</c>.</summary>
internal sealed record BenchReport(
    MachineInfo Machine,
    bool Quick,
    string? LoadAverageAtEnd,
    IReadOnlyList<BenchRow> Rows,
    IReadOnlyList<BenchRow> BestBatch,
    IReadOnlyList<string> Notes)
{
    /// <summary>Per modality, the end-to-end row with the lowest per-item median.</summary>
    public static IReadOnlyList<BenchRow> Best(IEnumerable<BenchRow> rows) =>
        rows.Where(r => r.EndToEnd)
            .GroupBy(r => r.Modality)
            .Select(g => g.MinBy(r => r.PerItemMs)!)
            .ToArray();

    public void WriteJson(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        using var stream = File.Create(path);
        JsonSerializer.Serialize(stream, this, BenchJsonContext.Readable.BenchReport);
    }

    public void PrintTable(TextWriter writer)
    {
        var stageWidth = Math.Max(5, Rows.Count == 0 ? 0 : Rows.Max(r => r.Stage.Length));
        var format = "{0,-8} | {1,-" + stageWidth.ToString(CultureInfo.InvariantCulture) + "} | {2,5} | {3,11} | {4,9} | {5,10} | {6,8} | {7}";
        writer.WriteLine();
        writer.WriteLine(format, "modality", "stage", "batch", "per-item ms", "p10 ms", "raw ORT ms", "overhead", "input");
        writer.WriteLine(new string('-', 92 + stageWidth));
        foreach (var row in Rows)
        {
            writer.WriteLine(
                format,
                row.Modality,
                row.Stage,
                row.Batch,
                Ms(row.PerItemMs),
                Ms(row.PerItemP10Ms),
                row.RawOrtPerItemMs is { } raw ? Ms(raw) : "-",
                row.OverheadRatio is { } ratio ? ratio.ToString("0.00x", CultureInfo.InvariantCulture) : "-",
                row.Note);
        }

        writer.WriteLine();
        writer.WriteLine("per-item ms and raw ORT ms are medians; overhead = per-item / raw ORT.");
        writer.WriteLine("best batch (lowest per-item median of the end-to-end stage):");
        foreach (var best in BestBatch)
        {
            var single = Rows.FirstOrDefault(r => r.EndToEnd && r.Modality == best.Modality && r.Batch == 1);
            var speedup = single is null || best.Batch == 1 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $", {single.PerItemMs / best.PerItemMs:0.00}x faster per item than batch 1");
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {best.Modality}: batch {best.Batch}, {Ms(best.PerItemMs)} ms per item ({best.Stage}){speedup}"));
        }

        if (Notes.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine("notes:");
            foreach (var note in Notes)
            {
                writer.WriteLine($"  {note}");
            }
        }

        writer.WriteLine();
        writer.WriteLine($"load average at end (1/5/15 min): {LoadAverageAtEnd ?? "n/a"}"
            + (MachineInfo.IsLoaded(LoadAverageAtEnd, Machine.LogicalCores) ? " — the machine was loaded: treat the figures as upper bounds" : string.Empty));
    }

    private static string Ms(double ms) => ms.ToString(ms < 10 ? "0.000" : "0.0", CultureInfo.InvariantCulture);
}

/// <summary>Source-generated JSON for <see cref="BenchReport"/>.</summary>
[JsonSerializable(typeof(BenchReport))]
internal sealed partial class BenchJsonContext : JsonSerializerContext
{
    /// <summary>Leaves '+' and non-ASCII unescaped: the file is read by people as well as tools.</summary>
    public static BenchJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
