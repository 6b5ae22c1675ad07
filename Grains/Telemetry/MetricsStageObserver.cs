using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains;

/// <summary>Records the recognizers' stage times as <see cref="EmotionMetrics.Instruments.StageLatency"/>.</summary>
internal sealed class MetricsStageObserver(EmotionMetrics metrics) : IInferenceStageObserver
{
    public void StageCompleted(Modality modality, InferenceStage stage, TimeSpan elapsed) => metrics.RecordStage(modality, stage, elapsed);
}
