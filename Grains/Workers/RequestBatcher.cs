using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains;

/// <summary>
/// Collects the requests that reach one worker activation within a short window after the first
/// one (or until the batch is full) and answers them with one model run. Lives inside a grain
/// activation and is only touched from its scheduler, so it needs no locks.
/// </summary>
internal sealed class RequestBatcher<TIn, TOut>(Func<IReadOnlyList<TIn>, IReadOnlyList<TOut>> run, int maxBatchSize, TimeSpan window)
{
    private readonly List<(TIn Input, TaskCompletionSource<TOut> Result)> _pending = [];
    private TaskCompletionSource? _full;
    private bool _draining;

    /// <summary>Queues one input; completes with its output or the run's error.</summary>
    public Task<TOut> Enqueue(TIn input)
    {
        var result = new TaskCompletionSource<TOut>(TaskCreationOptions.RunContinuationsAsynchronously);
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
                // Requests arriving during the window (the activation is reentrant) join this batch.
                if (_pending.Count < maxBatchSize && window > TimeSpan.Zero)
                {
                    _full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    await Task.WhenAny(Task.Delay(window), _full.Task);
                    _full = null;
                }

                var count = Math.Min(_pending.Count, maxBatchSize);
                var batch = _pending.GetRange(0, count);
                _pending.RemoveRange(0, count);
                RunBatch(batch);
            }
        }
        finally
        {
            _draining = false;
        }
    }

    private void RunBatch(List<(TIn Input, TaskCompletionSource<TOut> Result)> batch)
    {
        try
        {
            var outputs = run([.. batch.Select(b => b.Input)]);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Result.SetResult(outputs[i]);
            }
        }
        catch (InvalidInputException) when (batch.Count > 1)
        {
            // Recognizers refuse a whole batch for one bad input before any model runs: rerun one
            // by one so only the bad request fails.
            foreach (var item in batch)
            {
                RunBatch([item]);
            }
        }
        catch (Exception e)
        {
            foreach (var item in batch)
            {
                item.Result.SetException(e);
            }
        }
    }
}
