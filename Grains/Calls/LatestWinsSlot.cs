namespace Emotion.Orleans.Grains;

/// <summary>
/// Admission of work where only the newest item matters (a call's video frames): one item runs at a
/// time and at most one waits; an item arriving while another waits supersedes it. Lives inside a
/// grain activation and is only touched from its scheduler, so it needs no locks.
/// </summary>
/// <typeparam name="T">What identifies an item (e.g. the frame's timestamp).</typeparam>
internal sealed class LatestWinsSlot<T>
    where T : struct
{
    private T? _running;
    private (T Item, TaskCompletionSource<bool> Turn)? _waiting;

    /// <summary>The newest item admitted and not finished: the waiting one, else the running one.</summary>
    public T? Latest => _waiting?.Item ?? _running;

    /// <summary>
    /// Admits <paramref name="item"/>: true when it may run now or once the running item has
    /// finished (the caller then runs it and calls <see cref="Exit"/>); false when a newer item
    /// superseded it while it waited.
    /// </summary>
    public Task<bool> EnterAsync(T item)
    {
        if (_running is null)
        {
            _running = item;
            return Task.FromResult(true);
        }

        _waiting?.Turn.TrySetResult(false);
        var turn = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting = (item, turn);
        return turn.Task;
    }

    /// <summary>The running item has finished: the waiting one, if any, runs next.</summary>
    public void Exit()
    {
        if (_waiting is { } next)
        {
            _waiting = null;
            _running = next.Item;
            next.Turn.TrySetResult(true);
        }
        else
        {
            _running = null;
        }
    }
}
