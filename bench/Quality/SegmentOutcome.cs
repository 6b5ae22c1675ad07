using Emotion.Orleans.Grains;

namespace Emotion.Orleans.QualityCheck;

/// <summary>What the pipeline answered for one segment.</summary>
/// <param name="CallId">The call it was sent on.</param>
/// <param name="Call">The call's name in the plan.</param>
/// <param name="Segment">The paired segment.</param>
/// <param name="Span">Where it lay on the call's clock.</param>
/// <param name="Final">
/// The segment's result: the last fused result that the segment's own inputs (its audio up to the
/// end of the following pause, its frames, its transcript) produced; null when they produced none.
/// </param>
/// <param name="Results">How many fused results the segment's inputs produced.</param>
/// <param name="UtteranceEnds">How many of them were utterance ends (transcript or speech).</param>
/// <param name="Refused">Inputs of the segment the call refused (each with the error's message in <paramref name="Errors"/>).</param>
/// <param name="Errors">The refusal messages.</param>
public sealed record SegmentOutcome(
    string CallId,
    string Call,
    PairedSegment Segment,
    SegmentSpan Span,
    FusedResult? Final,
    int Results,
    int UtteranceEnds,
    int Refused,
    IReadOnlyList<string> Errors)
{
    /// <summary>The label the fused result chose, null without a result.</summary>
    public string? Predicted => Final?.Emotion;

    /// <summary>True when the segment's result has the segment's label.</summary>
    public bool Correct => Final is not null && Final.Emotion == Inference.EmotionLabels.Name(Segment.Label);

    /// <summary>
    /// The contribution of <paramref name="modality"/> to the segment's result when its evidence
    /// came from this segment (not left over from the one before); null otherwise.
    /// </summary>
    public ModalityContribution? Fresh(InputModality modality) =>
        Final?.Modalities.FirstOrDefault(m => m.Modality == modality && Span.Covers(m.Start, m.End));
}
