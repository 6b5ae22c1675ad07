namespace Emotion.Orleans.Inference;

/// <summary>
/// Told how long each stage of a recognizer's batch took, so a host can record it (the silo records
/// it as the <c>emotion_stage_latency</c> metric). Called on the inference thread: implementations
/// must be thread-safe and cheap.
/// </summary>
public interface IInferenceStageObserver
{
    /// <summary>One stage of one batch finished.</summary>
    void StageCompleted(Modality modality, InferenceStage stage, TimeSpan elapsed);
}
