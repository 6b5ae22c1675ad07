using System.Diagnostics;

namespace Emotion.Orleans.Inference;

/// <summary>
/// Times consecutive stages of one batch for an optional <see cref="IInferenceStageObserver"/>: a
/// stack-only timestamp, nothing allocated; with no observer it does nothing.
/// </summary>
internal struct StageClock
{
    private readonly IInferenceStageObserver? _observer;
    private readonly Modality _modality;
    private long _start;

    /// <summary>Starts timing the first stage.</summary>
    public StageClock(IInferenceStageObserver? observer, Modality modality)
    {
        _observer = observer;
        _modality = modality;
        _start = observer is null ? 0 : Stopwatch.GetTimestamp();
    }

    /// <summary>Reports the stage that just ended and starts timing the next.</summary>
    public void Completed(InferenceStage stage, int batchSize)
    {
        if (_observer is null)
        {
            return;
        }

        _observer.StageCompleted(_modality, stage, batchSize, Stopwatch.GetElapsedTime(_start));

        // Restarted after the observer returns, so its own time is not charged to the next stage.
        _start = Stopwatch.GetTimestamp();
    }
}
