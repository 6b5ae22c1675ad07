namespace Emotion.Orleans.Inference;

/// <summary>
/// Scores a stream's next VAD windows, in order, advancing its <see cref="SileroVadState"/>: directly
/// (<see cref="SileroVad"/>), or batched with other streams' windows by a host that gathers them.
/// </summary>
public interface IVoiceActivityScorer
{
    /// <summary>Speech probability of each window (each <see cref="SileroVad.WindowSamples"/> long), in order.</summary>
    /// <param name="state">The stream's state; only one scoring of a stream may be in progress at a time.</param>
    /// <param name="windows">The windows, in stream order.</param>
    /// <param name="cancellationToken">Cancels waiting for a batch (not a model run under way).</param>
    ValueTask<float[]> ScoreAsync(SileroVadState state, IReadOnlyList<float[]> windows, CancellationToken cancellationToken = default);
}
