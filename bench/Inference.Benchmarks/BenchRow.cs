namespace Emotion.Orleans.Inference.Benchmarks;

/// <summary>One line of the results table.</summary>
/// <param name="Modality">text, speech or face.</param>
/// <param name="Stage">What was timed (the product API called, or a part of it).</param>
/// <param name="Batch">Items per call.</param>
/// <param name="PerItemMs">Median wall time of one call divided by <paramref name="Batch"/>.</param>
/// <param name="RawOrtPerItemMs">Median of <c>InferenceSession.Run</c> alone on the same prepared batch, per item; null when the stage has no single model run to compare with.</param>
/// <param name="Runs">Timed calls behind the median.</param>
/// <param name="Note">What the input was (sequence length, audio length, image size).</param>
internal sealed record BenchRow(string Modality, string Stage, int Batch, double PerItemMs, double? RawOrtPerItemMs, int Runs, string Note)
{
    /// <summary>Pipeline time over raw model time: 1.0 means the pipeline adds nothing around the model.</summary>
    public double? OverheadRatio => RawOrtPerItemMs is > 0 ? PerItemMs / RawOrtPerItemMs : null;

    /// <summary>Whether this row is the modality's end-to-end stage, the one the best batch is chosen on.</summary>
    public bool EndToEnd { get; init; }
}
