namespace Emotion.Orleans.Inference;

/// <summary>
/// Told how long each stage of a recognizer's batch took, so a host can record it (the silo records
/// it as the <c>emotion_stage_latency</c> metric). Called on the inference thread after the stage, only
/// for stages that ran: implementations must be thread-safe, cheap and must not throw.
/// </summary>
public interface IInferenceStageObserver
{
    /// <summary>One stage of one batch finished.</summary>
    /// <param name="modality">The recognizer's modality.</param>
    /// <param name="stage">The stage.</param>
    /// <param name="batchSize">Items the stage processed: the inputs for <see cref="InferenceStage.Decode"/>;
    /// for face, the detected faces for the later stages.</param>
    /// <param name="elapsed">How long the stage took for the whole batch.</param>
    void StageCompleted(Modality modality, InferenceStage stage, int batchSize, TimeSpan elapsed);
}
