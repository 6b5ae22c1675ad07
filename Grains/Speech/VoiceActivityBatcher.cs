using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains;

/// <summary>
/// The silo's voice-activity scoring: the call sessions' VAD windows are gathered and scored in
/// batched runs of the one shared Silero session (one window of each waiting call per run), each run
/// in one of the silo's <see cref="ModelRunSlots"/> at text-and-speech priority. Thread-safe.
/// </summary>
/// <remarks>
/// Every call scores a 32 ms window about 31 times a second, so the VAD was a quarter of a call's
/// model CPU when each session ran its windows alone on its own turn: a run's fixed cost dominates
/// this small model, and a window costs well under half as much in a batch of eight. Requests that
/// arrive within the gather window after the oldest waiting one, or while a run or the wait for a
/// slot is under way, join the next run. Without the window, runs at 100 calls took 3.1 calls on
/// average (a third of the cost per window lost against 16); a request that already waited behind the
/// previous run does not wait a window more.
/// </remarks>
public sealed class VoiceActivityBatcher : IVoiceActivityScorer
{
    private readonly SileroVad _vad;
    private readonly ModelRunSlots _slots;
    private readonly int _maxStreams;
    private readonly EmotionMetrics? _metrics;
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly List<Request> _pending = [];
    private bool _draining;
    private long _runs;

    /// <param name="vad">The shared VAD.</param>
    /// <param name="slots">The silo's model-run slots.</param>
    /// <param name="maxStreams">Most calls' windows in one run.</param>
    /// <param name="metrics">Batch sizes are recorded here (modality <c>voice_activity</c>), when given.</param>
    /// <param name="window">How long the oldest waiting request waits for others to join its run (zero: none).</param>
    /// <param name="time">The clock of the window (the system's when null).</param>
    public VoiceActivityBatcher(SileroVad vad, ModelRunSlots slots, int maxStreams, EmotionMetrics? metrics = null, TimeSpan window = default, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(vad);
        ArgumentNullException.ThrowIfNull(slots);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxStreams, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, TimeSpan.Zero);
        _vad = vad;
        _slots = slots;
        _maxStreams = maxStreams;
        _metrics = metrics;
        _window = window;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Batched scorings so far (each one run per window position of its longest request).</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <inheritdoc />
    public ValueTask<float[]> ScoreAsync(SileroVadState state, IReadOnlyList<float[]> windows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(windows);
        cancellationToken.ThrowIfCancellationRequested();
        if (windows.Count == 0)
        {
            return ValueTask.FromResult(Array.Empty<float>());
        }

        // Answers continue elsewhere: a session's continuation must not run on the scoring thread.
        var request = new Request(state, windows, new TaskCompletionSource<float[]>(TaskCreationOptions.RunContinuationsAsynchronously), _time.GetTimestamp());
        bool start;
        lock (_gate)
        {
            _pending.Add(request);
            start = !_draining;
            _draining = true;
        }

        if (start)
        {
            // The loop belongs to the silo, not to the session that happened to start it: off its scheduler.
            _ = Task.Factory.StartNew(DrainAsync, CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default).Unwrap();
        }

        return new ValueTask<float[]>(request.Result.Task);
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            if (LeftToGather() is { } left && left > TimeSpan.Zero)
            {
                await Task.Delay(left, _time).ConfigureAwait(false);
            }

            using var lease = await _slots.AcquireAsync(ModelRunPriority.High).ConfigureAwait(false);
            List<Request> batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _draining = false;
                    return;
                }

                batch = Take();
            }

            Run(batch);
        }
    }

    // What is left of the oldest waiting request's window; null when a run would already be full.
    private TimeSpan? LeftToGather()
    {
        if (_window <= TimeSpan.Zero)
        {
            return null;
        }

        lock (_gate)
        {
            return _pending.Count == 0 || _pending.Count >= _maxStreams ? null : _window - _time.GetElapsedTime(_pending[0].Arrived);
        }
    }

    // Under the gate: up to the most streams, each call once (a call has one scoring at a time, but a
    // state seen twice would be scored out of order, so a second request of it waits for the next run).
    private List<Request> Take()
    {
        List<Request> batch = [];
        HashSet<SileroVadState> states = [];
        for (var i = 0; i < _pending.Count && batch.Count < _maxStreams; i++)
        {
            if (states.Add(_pending[i].State))
            {
                batch.Add(_pending[i]);
                _pending.RemoveAt(i--);
            }
        }

        return batch;
    }

    private void Run(List<Request> batch)
    {
        float[][] probabilities;
        try
        {
            probabilities = _vad.Probabilities([.. batch.Select(r => r.State)], [.. batch.Select(r => r.Windows)]);
        }
        catch (Exception e)
        {
            foreach (var request in batch)
            {
                request.Result.TrySetException(e);
            }

            return;
        }

        Interlocked.Increment(ref _runs);
        _metrics?.RecordVoiceActivityBatch(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Result.TrySetResult(probabilities[i]);
        }
    }

    private sealed record Request(SileroVadState State, IReadOnlyList<float[]> Windows, TaskCompletionSource<float[]> Result, long Arrived);
}
