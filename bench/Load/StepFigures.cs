using System.Text.Json.Serialization;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>One modality's inputs in a step.</summary>
/// <param name="Sent">Inputs answered.</param>
/// <param name="Dropped">Inputs the sender dropped because it was too far behind.</param>
/// <param name="Refused">Inputs the call refused.</param>
/// <param name="Failed">Inputs that failed otherwise (time-out, overload) or were still unanswered at the end.</param>
/// <param name="RoundTrip">Send-to-answer latency (the modality's processing, in milliseconds).</param>
/// <param name="EventToResult">Input-existed-to-result latency of the results it produced.</param>
public sealed record ModalityFigures(long Sent, long Dropped, long Refused, long Failed, LatencySummary RoundTrip, LatencySummary EventToResult);

/// <summary>The figures of one step (N calls for a bounded time).</summary>
/// <param name="Calls">Concurrent calls.</param>
/// <param name="MeasuredSeconds">Wall time the latency figures cover.</param>
/// <param name="Modalities">Per modality (text, speech, face).</param>
/// <param name="EventToResult">Event-to-result latency of every result, from the answers.</param>
/// <param name="StreamEventToResult">Event-to-result latency of the results as they arrived on the calls' result streams.</param>
/// <param name="Results">Results answered in the whole step.</param>
/// <param name="ResultsPerSecond">Results per second after the warm-up.</param>
/// <param name="StreamResults">Results that arrived on the result streams.</param>
/// <param name="MixedUp">Results of one call delivered to another (must be 0).</param>
/// <param name="FaceResults">Streamed results that fused a face.</param>
/// <param name="Dropped">Inputs dropped by the senders.</param>
/// <param name="Refused">Inputs refused or failed.</param>
/// <param name="FirstError">The first refusal or failure, if any.</param>
public sealed record StepFigures(
    int Calls,
    double MeasuredSeconds,
    IReadOnlyDictionary<string, ModalityFigures> Modalities,
    LatencySummary EventToResult,
    LatencySummary StreamEventToResult,
    long Results,
    double ResultsPerSecond,
    long StreamResults,
    long MixedUp,
    long FaceResults,
    long Dropped,
    long Refused,
    string? FirstError)
{
    /// <summary>Process CPU use over the step, in cores (1.0 = one core busy).</summary>
    public double? ProcessCpuCores { get; init; }

    /// <summary>Machine CPU use over the step, 0–1 of all cores (Linux only).</summary>
    public double? MachineCpu { get; init; }

    /// <summary>Media the step sent: seconds of audio, frames, transcript segments.</summary>
    public MediaAmount? Media { get; init; }

    /// <summary>
    /// Calls' worth of media the pipeline took in: the calls times the smaller of the shares of
    /// audio and of frames sent and answered (1 each when nothing was dropped).
    /// </summary>
    public double DeliveredCalls { get; init; }

    /// <summary>Model runs of the workers in this process per modality: runs, mean and largest batch (embedded silo only).</summary>
    public IReadOnlyDictionary<string, BatchSummary>? Batches { get; init; }

    /// <summary>The model runs' batch sizes in order, per modality, up to <see cref="BatchSizeListener.KeptInOrder"/> each (embedded silo only).</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, IReadOnlyList<int>>? BatchSizes { get; init; }

    /// <summary>The step window by window (a soak's minutes), when it was asked for; null otherwise.</summary>
    public IReadOnlyList<StepWindow>? Windows { get; init; }

    /// <summary>The share of frames admission control may shed in a step that holds, unless told otherwise.</summary>
    public const double DefaultMaxFaceShed = 0.05;

    /// <summary>
    /// Frames the calls' admission control shed (a newer frame replaced a waiting one, or the face
    /// rate was over the call's maximum): answered without a face run; null when not seen (the silo
    /// runs elsewhere).
    /// </summary>
    public long? ShedFrames { get; init; }

    /// <summary><see cref="ShedFrames"/> ÷ frames answered; null when not seen or no frames.</summary>
    public double? FaceShedShare => ShedFrames is { } shed && Modalities.TryGetValue("face", out var face) && face.Sent > 0 ? (double)shed / face.Sent : null;

    /// <summary>
    /// Whether the step held the bound: p99 event-to-result within it, nothing dropped, refused or
    /// mixed up, and at most <paramref name="maxFaceShed"/> of the frames shed (a silo that kept its
    /// latency only by skipping faces did not hold the profile's calls).
    /// </summary>
    public bool Held(TimeSpan maxP99, double maxFaceShed = DefaultMaxFaceShed) =>
        Dropped == 0 && Refused == 0 && MixedUp == 0 && Results > 0 && EventToResult.P99 is { } p99 && p99 <= maxP99.TotalMilliseconds
        && (FaceShedShare is not { } shed || shed <= maxFaceShed);
}

/// <summary>An amount of call media.</summary>
/// <param name="AudioSeconds">Seconds of audio.</param>
/// <param name="Frames">Video frames.</param>
/// <param name="Segments">Transcript segments.</param>
/// <param name="CallSeconds">Call time it covers, summed over the calls.</param>
public sealed record MediaAmount(double AudioSeconds, long Frames, long Segments, double CallSeconds);

/// <summary>Batch sizes of one modality's model runs.</summary>
/// <param name="Runs">Model runs.</param>
/// <param name="Mean">Mean requests per run.</param>
/// <param name="Max">Largest run.</param>
public sealed record BatchSummary(int Runs, double Mean, int Max);

/// <summary>One window of a step (a soak's minute): what held and what did not, as it went.</summary>
/// <param name="FromSeconds">Where the window starts, from the step's start.</param>
/// <param name="Seconds">How long it lasted.</param>
/// <param name="ResultsPerSecond">Results measured per second in it.</param>
/// <param name="EventToResult">Event-to-result latency of its results.</param>
/// <param name="Dropped">Inputs dropped in it.</param>
/// <param name="Refused">Inputs refused or failed in it.</param>
/// <param name="FramesAnswered">Frames answered in it.</param>
/// <param name="ShedFrames">Frames admission control shed in it; null when not seen.</param>
/// <param name="ProcessCpuCores">This process's CPU in it, in cores.</param>
public sealed record StepWindow(double FromSeconds, double Seconds, double ResultsPerSecond, LatencySummary EventToResult, long Dropped, long Refused, long FramesAnswered, long? ShedFrames, double ProcessCpuCores)
{
    /// <summary><see cref="ShedFrames"/> ÷ <see cref="FramesAnswered"/>; null when not seen or no frames.</summary>
    public double? FaceShedShare => ShedFrames is { } shed && FramesAnswered > 0 ? (double)shed / FramesAnswered : null;

    /// <summary>The window between two readings of a recorder's totals.</summary>
    /// <param name="fromSeconds">Where the window starts.</param>
    /// <param name="seconds">Its length.</param>
    /// <param name="before">The totals at its start.</param>
    /// <param name="after">The totals at its end (with the window's latencies).</param>
    /// <param name="shedFrames">Frames shed in it; null when not seen.</param>
    /// <param name="processCpuCores">This process's CPU in it.</param>
    public static StepWindow Between(double fromSeconds, double seconds, RecorderTotals before, RecorderTotals after, long? shedFrames, double processCpuCores)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return new StepWindow(
            fromSeconds,
            seconds,
            seconds > 0 ? (after.MeasuredResults - before.MeasuredResults) / seconds : 0,
            after.EventToResult,
            after.Dropped - before.Dropped,
            after.Refused - before.Refused,
            after.FramesAnswered - before.FramesAnswered,
            shedFrames,
            processCpuCores);
    }
}
