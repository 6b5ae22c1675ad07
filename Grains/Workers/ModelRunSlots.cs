namespace Emotion.Orleans.Grains;

/// <summary>Which waiting model run gets the next free slot of <see cref="ModelRunSlots"/>.</summary>
public enum ModelRunPriority
{
    /// <summary>
    /// Transcript segments and speech utterances: cheap runs whose inputs are kept in order and all
    /// answered, so a wait here delays every later input of the call.
    /// </summary>
    High = 0,

    /// <summary>
    /// Video frames: the heaviest runs, and the call's admission control lets a newer frame replace a
    /// waiting one, so under overload the face rate drops instead of a queue growing.
    /// </summary>
    Low = 1,
}

/// <summary>
/// The silo's model runs at once (one per core by default), shared by every worker activation, with
/// text and speech served before face when runs wait (face takes no slot when its runs go to
/// <see cref="LowPriorityRunThreads"/>, the default). Thread-safe.
/// </summary>
/// <remarks>
/// Without it each worker handed its runs to the thread pool as they formed: a burst of face runs
/// queued ahead of the text and speech runs that came after it, and text latency grew with the face
/// backlog. With a slot per core, a waiting text run waits for at most one run of each core to end.
/// (Model runs on the slots' own threads instead of the thread pool were tried: at 48 calls the
/// process then used 1.4 of 2 cores and shed 35 % of the frames.)
/// </remarks>
public sealed class ModelRunSlots
{
    private readonly Lock _gate = new();
    private readonly Queue<TaskCompletionSource<Lease>>[] _waiting = [new(), new()];
    private int _free;

    /// <param name="slots">Model runs at once.</param>
    public ModelRunSlots(int slots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        Slots = slots;
        _free = slots;
    }

    /// <summary>Model runs at once.</summary>
    public int Slots { get; }

    /// <summary>Runs waiting for a slot, of both priorities.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Sum(q => q.Count);
            }
        }
    }

    /// <summary>
    /// Waits for a slot: at once when one is free, else after the runs of higher priority and the
    /// earlier ones of the same priority. Dispose the lease when the run has ended.
    /// </summary>
    public Task<Lease> AcquireAsync(ModelRunPriority priority)
    {
        if (priority is not (ModelRunPriority.High or ModelRunPriority.Low))
        {
            throw new ArgumentOutOfRangeException(nameof(priority), priority, "Unknown model run priority.");
        }

        lock (_gate)
        {
            // A slot is free only while nothing waits: a released slot passes straight to a waiting run.
            if (_free > 0)
            {
                _free--;
                return Task.FromResult(new Lease(this));
            }

            // Continuations run asynchronously: the releasing thread must not take the next batch inline.
            var turn = new TaskCompletionSource<Lease>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting[(int)priority].Enqueue(turn);
            return turn.Task;
        }
    }

    private void Release()
    {
        TaskCompletionSource<Lease>? next = null;
        lock (_gate)
        {
            foreach (var queue in _waiting)
            {
                if (queue.TryDequeue(out next))
                {
                    break;
                }
            }

            if (next is null)
            {
                _free++;
            }
        }

        next?.SetResult(new Lease(this));
    }

    /// <summary>One slot held; disposing it (once; more calls do nothing) frees it for the next run.</summary>
    public sealed class Lease : IDisposable
    {
        private ModelRunSlots? _owner;

        internal Lease(ModelRunSlots owner) => _owner = owner;

        /// <inheritdoc />
        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Release();
    }
}
