namespace Emotion.Orleans.Grains;

/// <summary>
/// Runs asynchronous work items one after another, in the order they were queued; a failed item
/// fails only its own caller. Lives inside a grain activation and is only touched from its
/// scheduler, so it needs no locks.
/// </summary>
internal sealed class SerialQueue
{
    private Task _tail = Task.CompletedTask;

    /// <summary>Queues <paramref name="work"/>; it starts once every item queued before it has finished.</summary>
    public Task<T> Enqueue<T>(Func<Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var run = RunAfterAsync(_tail, work);
        _tail = run;
        return run;
    }

    private static async Task<T> RunAfterAsync<T>(Task previous, Func<Task<T>> work)
    {
        // The previous item's error belongs to its caller; this one runs regardless, on the captured scheduler.
        await previous.ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
        return await work();
    }
}
