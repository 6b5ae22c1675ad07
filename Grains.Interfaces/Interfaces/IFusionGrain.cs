namespace Emotion.Orleans.Grains;

/// <summary>
/// The fusion of one call (key: call id): keeps each modality's latest class embedding and fuses
/// them on utterance end and, while evidence keeps arriving, at most once per cadence interval.
/// Every result is published on the call's result stream.
/// </summary>
[Alias("emotion.fusion")]
public interface IFusionGrain : IGrainWithStringKey
{
    /// <summary>Takes new evidence; returns the fused result (already published) when this evidence triggered one.</summary>
    /// <param name="observation">The evidence.</param>
    /// <param name="sequence">The least sequence number the next result may have (the session's highest sequence + 1), so numbering survives a reactivation of this grain.</param>
    [Alias("observe")]
    Task<FusedResult?> Observe(ModalityObservation observation, long sequence);

    /// <summary>Forgets the call's evidence (the call ended).</summary>
    [Alias("complete")]
    Task Complete();
}
