namespace Emotion.Orleans.Grains;

/// <summary>
/// Counts a call's inputs in progress so that ending the call can wait for them. Lives inside a
/// grain activation and is only touched from its scheduler, so it needs no locks.
/// </summary>
internal sealed class InputsInProgress
{
    private TaskCompletionSource? _idle;

    /// <summary>Inputs in progress.</summary>
    public int Count { get; private set; }

    /// <summary>Counts one input until the returned scope is disposed.</summary>
    public Scope Enter()
    {
        Count++;
        return new Scope(this);
    }

    /// <summary>Completes once no input is in progress.</summary>
    public Task WhenIdleAsync()
    {
        if (Count == 0)
        {
            return Task.CompletedTask;
        }

        _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _idle.Task;
    }

    private void Exit()
    {
        Count--;
        if (Count == 0 && _idle is { } idle)
        {
            _idle = null;
            idle.TrySetResult();
        }
    }

    /// <summary>One input in progress.</summary>
    public sealed class Scope(InputsInProgress owner) : IDisposable
    {
        private InputsInProgress? _owner = owner;

        /// <summary>The input has finished (refused, skipped or done).</summary>
        public void Dispose()
        {
            _owner?.Exit();
            _owner = null;
        }
    }
}
