namespace Emotion.Orleans.Inference.Benchmarks;

/// <summary>One line of the results table.</summary>
/// <param name="Modality">text, speech or face.</param>
/// <param name="Stage">What was timed (the product API called, or a part of it).</param>
/// <param name="Batch">Items per call.</param>
/// <param name="PerItemMs">Median wall time of one call divided by the items it handled.</param>
/// <param name="PerItemP10Ms">The 10th percentile of the same: closer to the uncontended cost when other processes share the cores.</param>
/// <param name="RawOrtPerItemMs">Median of <c>InferenceSession.Run</c> alone on the same prepared batch, per item; null when the stage has no single model run to compare with.</param>
/// <param name="Runs">Timed calls behind the median.</param>
/// <param name="Note">What the input was (sequence length, audio length, image size).</param>
internal sealed record BenchRow(string Modality, string Stage, int Batch, double PerItemMs, double PerItemP10Ms, double? RawOrtPerItemMs, int Runs, string Note)
{
    /// <summary>A row from the timings of a call that handled <paramref name="itemsPerCall"/> items (or seconds of audio).</summary>
    public static BenchRow Of(string modality, string stage, int batch, double itemsPerCall, Sample sample, Sample? raw, string note) =>
        new(modality, stage, batch, sample.Median / itemsPerCall, sample.P10 / itemsPerCall, raw?.Median / itemsPerCall, sample.Runs, note);

    /// <summary>Pipeline time over raw model time: 1.0 means the pipeline adds nothing around the model.</summary>
    public double? OverheadRatio => RawOrtPerItemMs is > 0 ? PerItemMs / RawOrtPerItemMs : null;

    /// <summary>Whether this row is the modality's end-to-end stage, the one the best batch is chosen on.</summary>
    public bool EndToEnd { get; init; }
}
