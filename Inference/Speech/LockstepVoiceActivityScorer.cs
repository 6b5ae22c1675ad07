namespace Emotion.Orleans.Inference;

/// <summary>
/// Scores several streams' windows together when told to: each <see cref="ScoreAsync"/> waits until
/// <see cref="Run"/> scores everything asked for since the last run in batched runs of the VAD. For
/// segmenting many recordings at once on one thread (chunk <c>k</c> of every stream, then <see cref="Run"/>,
/// then chunk <c>k + 1</c>), as the silo batches its calls' windows. Not thread-safe.
/// </summary>
/// <param name="vad">The VAD.</param>
public sealed class LockstepVoiceActivityScorer(SileroVad vad) : IVoiceActivityScorer
{
    private readonly List<(SileroVadState State, IReadOnlyList<float[]> Windows, TaskCompletionSource<float[]> Result)> _pending = [];

    /// <summary>Streams waiting for <see cref="Run"/>.</summary>
    public int Pending => _pending.Count;

    /// <inheritdoc />
    public ValueTask<float[]> ScoreAsync(SileroVadState state, IReadOnlyList<float[]> windows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(windows);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new TaskCompletionSource<float[]>();
        _pending.Add((state, windows, result));
        return new ValueTask<float[]>(result.Task);
    }

    /// <summary>Scores every waiting stream's windows (batched across the streams) and completes their scorings.</summary>
    public void Run()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var batch = _pending.ToArray();
        _pending.Clear();
        float[][] probabilities;
        try
        {
            probabilities = vad.Probabilities([.. batch.Select(p => p.State)], [.. batch.Select(p => p.Windows)]);
        }
        catch (Exception e)
        {
            foreach (var item in batch)
            {
                item.Result.SetException(e);
            }

            return;
        }

        for (var i = 0; i < batch.Length; i++)
        {
            batch[i].Result.SetResult(probabilities[i]);
        }
    }
}
