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

    /// <summary>Every model run's batch size, in order, per modality (embedded silo only).</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, IReadOnlyList<int>>? BatchSizes { get; init; }

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
public sealed record BatchSummary(int Runs, double Mean, int Max)
{
    /// <summary>The summary of <paramref name="sizes"/>.</summary>
    public static BatchSummary Of(IReadOnlyList<int> sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        return sizes.Count == 0 ? new BatchSummary(0, 0, 0) : new BatchSummary(sizes.Count, sizes.Average(), sizes.Max());
    }
}
