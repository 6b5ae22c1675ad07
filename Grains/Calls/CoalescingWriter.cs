namespace Emotion.Orleans.Grains;

/// <summary>
/// Runs a write (e.g. a grain's state write) at most once at a time: a request made while a write
/// is in flight joins the next write, so requests that pile up meanwhile share one write. Each
/// request completes when a write that started after it has finished. Lives inside a grain
/// activation and is only touched from its scheduler, so it needs no locks.
/// </summary>
internal sealed class CoalescingWriter(Func<Task> write)
{
    private TaskCompletionSource? _next;
    private bool _writing;

    /// <summary>A write is in flight or requested.</summary>
    public bool Busy => _writing || _next is not null;

    /// <summary>Requests a write; completes when one that started after this request has finished (or fails with its error).</summary>
    public Task WriteAsync()
    {
        var next = _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_writing)
        {
            _writing = true;
            _ = PumpAsync();
        }

        return next.Task;
    }

    private async Task PumpAsync()
    {
        try
        {
            while (_next is { } batch)
            {
                // Requests from here on join the following write: this one may already miss their changes.
                _next = null;
                try
                {
                    await write();
                    batch.TrySetResult();
                }
                catch (Exception e)
                {
                    batch.TrySetException(e);
                }
            }
        }
        finally
        {
            _writing = false;
        }
    }
}
