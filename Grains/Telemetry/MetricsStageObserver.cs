using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains;

/// <summary>Records the recognizers' stage times as <see cref="EmotionMetrics.Instruments.StageLatency"/>.</summary>
internal sealed class MetricsStageObserver(EmotionMetrics metrics) : IInferenceStageObserver
{
    // The batch size is recorded per model run by the workers (emotion_batch_size).
    public void StageCompleted(Modality modality, InferenceStage stage, int batchSize, TimeSpan elapsed) => metrics.RecordStage(modality, stage, elapsed);
}
