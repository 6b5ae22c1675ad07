using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains;

/// <summary>
/// Collects the requests that reach one worker activation within a short window after the first
/// one (or until the batch is full) and answers them with one model run. Lives inside a grain
/// activation and is only touched from its scheduler, so it needs no locks.
/// </summary>
/// <remarks>
/// The model run itself goes to the thread pool (or to <c>threads</c> when given, as face runs
/// are): a batch of frames takes longer than the batch window, and run inline it would hold the
/// activation's turn all that time.
/// This way the activation keeps taking requests, which form the next batch, and the answers are
/// given back on the activation's scheduler. Up to <c>maxConcurrentRuns</c> runs overlap (the
/// sessions are thread-safe): each worker has one activation per silo, so that all the silo's
/// requests meet in one batch (with one activation per core Orleans split them, and the runs were
/// half as full: load benchmark at 130 calls, 2026-12-02, text runs 2.9 → 5.6 segments, face runs
/// 6.1 → 8.0 frames), and that one activation must be able to use every core;
/// while all runs are busy, waiting requests gather into the next batch. With the silo's
/// <see cref="ModelRunSlots"/> a batch is taken only once a slot is free, so requests keep gathering
/// while runs of other workers (or of higher priority) hold the cores.
/// </remarks>
internal sealed class RequestBatcher<TIn, TOut>(Func<IReadOnlyList<TIn>, IReadOnlyList<TOut>> run, int maxBatchSize, TimeSpan window, TimeProvider time, int maxConcurrentRuns = 1, ModelRunSlots? slots = null, ModelRunPriority priority = ModelRunPriority.High, LowPriorityRunThreads? threads = null)
{
    private readonly List<(TIn Input, TaskCompletionSource<TOut> Result)> _pending = [];
    private readonly int _maxConcurrentRuns = maxConcurrentRuns > 0 ? maxConcurrentRuns : throw new ArgumentOutOfRangeException(nameof(maxConcurrentRuns));
    private TaskCompletionSource? _full;
    private TaskCompletionSource? _runEnded;
    private long _firstWaiting;
    private bool _draining;
    private int _running;

    /// <summary>Queues one input; completes with its output or the run's error.</summary>
    public Task<TOut> Enqueue(TIn input)
    {
        var result = new TaskCompletionSource<TOut>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_pending.Count == 0)
        {
            _firstWaiting = time.GetTimestamp();
        }

        _pending.Add((input, result));
        if (_pending.Count >= maxBatchSize)
        {
            _full?.TrySetResult();
        }

        if (!_draining)
        {
            _draining = true;
            _ = DrainAsync();
        }

        return result.Task;
    }

    private async Task DrainAsync()
    {
        try
        {
            while (_pending.Count > 0)
            {
                // Requests arriving during the window (the activation is reentrant) join this batch; a
                // request that already waited (behind the previous run) does not wait a window more.
                var left = window - time.GetElapsedTime(_firstWaiting);
                if (_pending.Count < maxBatchSize && left > TimeSpan.Zero)
                {
                    _full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    using var timer = new CancellationTokenSource();
                    await Task.WhenAny(Task.Delay(left, time, timer.Token), _full.Task);
                    await timer.CancelAsync();
                    _full = null;
                }

                while (_running >= _maxConcurrentRuns)
                {
                    _runEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    await _runEnded.Task;
                }

                var lease = slots is null ? null : await slots.AcquireAsync(priority);
                var count = Math.Min(_pending.Count, maxBatchSize);
                var batch = _pending.GetRange(0, count);
                _pending.RemoveRange(0, count);
                _firstWaiting = time.GetTimestamp();
                _running++;
                _ = RunAndReleaseAsync(batch, lease);
            }
        }
        finally
        {
            _draining = false;
        }
    }

    private async Task RunAndReleaseAsync(List<(TIn Input, TaskCompletionSource<TOut> Result)> batch, ModelRunSlots.Lease? lease)
    {
        try
        {
            await RunBatchAsync(batch);
        }
        finally
        {
            lease?.Dispose();
            _running--;
            _runEnded?.TrySetResult();
        }
    }

    private async Task RunBatchAsync(List<(TIn Input, TaskCompletionSource<TOut> Result)> batch)
    {
        TIn[] inputs = [.. batch.Select(b => b.Input)];
        IReadOnlyList<TOut> outputs;
        try
        {
            outputs = threads is null
                ? await Task.Factory.StartNew(() => run(inputs), CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default)
                : await threads.RunAsync(() => run(inputs));
        }
        catch (InvalidInputException) when (batch.Count > 1)
        {
            // Recognizers refuse a whole batch for one bad input before any model runs: rerun one
            // by one so only the bad request fails.
            foreach (var item in batch)
            {
                await RunBatchAsync([item]);
            }

            return;
        }
        catch (Exception e)
        {
            Fail(batch, e);
            return;
        }

        if (outputs.Count != batch.Count)
        {
            Fail(batch, new InvalidOperationException($"The model gave {outputs.Count} outputs for a batch of {batch.Count} inputs."));
            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Result.TrySetResult(outputs[i]);
        }
    }

    private static void Fail(List<(TIn Input, TaskCompletionSource<TOut> Result)> batch, Exception error)
    {
        foreach (var item in batch)
        {
            item.Result.TrySetException(error);
        }
    }
}
