using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Emotion.Orleans.Grains;

/// <summary>
/// Dedicated threads, at the lowest OS scheduling priority the process may give, that run the
/// silo's face model runs one at a time each. Thread-safe; dispose to let the threads finish the
/// runs already queued and stop.
/// </summary>
/// <remarks>
/// Face runs are most of the silo's CPU and the one load that may shed (a call's newer frame
/// replaces one still waiting), while a call's audio and text must all be answered in order. On
/// the thread pool a face run competes as an equal with the grains' turns, the messaging and the
/// audio and text runs, so a silo at its limit delays every call's audio; here the OS hands the
/// cores to everything else first and face runs take what is left, so an overloaded silo sheds
/// frames instead of falling behind on audio.
/// </remarks>
public sealed partial class LowPriorityRunThreads : IDisposable
{
    // The weakest nice value on Linux (weight 15 against 1024 for nice 0).
    private const int LowestNice = 19;

    // setpriority's "which" for a process (on Linux: a thread).
    private const int PriorityProcess = 0;

    private readonly BlockingCollection<Action> _work = [];
    private readonly Thread[] _threads;
    private readonly string _name;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private volatile bool _lowered = true;
    private bool _started;

    /// <param name="threads">Runs at once.</param>
    /// <param name="name">Thread name prefix.</param>
    /// <param name="logger">Told when the OS refuses the lower priority.</param>
    public LowPriorityRunThreads(int threads, string name, ILogger<LowPriorityRunThreads>? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _threads = new Thread[threads];
        _name = name;
        _logger = logger ?? NullLogger<LowPriorityRunThreads>.Instance;
    }

    /// <summary>Whether every thread started so far runs at a lowered OS priority (false where the OS refused it).</summary>
    public bool Lowered => _lowered;

    /// <summary>Queues <paramref name="run"/>; completes, off these threads, with its result or its error.</summary>
    public Task<T> RunAsync<T>(Func<T> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(() =>
        {
            try
            {
                result.SetResult(run());
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        });
        return result.Task;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            if (_work.IsAddingCompleted)
            {
                return;
            }

            _work.CompleteAdding();
        }

        if (_started)
        {
            foreach (var thread in _threads)
            {
                thread.Join();
            }
        }

        _work.Dispose();
    }

    // Under the gate, so a run is never added after Dispose began. The threads start with the first
    // run, so a silo whose face runs stay on the thread pool has none.
    private void Enqueue(Action work)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_work.IsAddingCompleted, this);
            if (!_started)
            {
                for (var i = 0; i < _threads.Length; i++)
                {
                    _threads[i] = new Thread(Work) { IsBackground = true, Name = $"{_name}-{i}" };
                    _threads[i].Start();
                }

                _started = true;
            }

            _work.Add(work);
        }
    }

    private void Work()
    {
        if (!LowerCurrentThread())
        {
            // The runs still work, at normal priority: an overloaded silo then delays audio as well.
            _lowered = false;
            LogNotLowered(_logger, Thread.CurrentThread.Name);
        }

        foreach (var run in _work.GetConsumingEnumerable())
        {
            run();
        }
    }

    private static bool LowerCurrentThread()
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                // On Linux the nice value belongs to the thread: "who" 0 is the calling thread. Raising
                // it needs no privilege.
                return SetPriority(PriorityProcess, 0, LowestNice) == 0;
            }

            Thread.CurrentThread.Priority = ThreadPriority.Lowest;
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model run thread {Thread} could not lower its OS priority: its runs compete with the calls' audio and text for the cores.")]
    private static partial void LogNotLowered(ILogger logger, string? thread);

    // DllImport rather than LibraryImport: all arguments are blittable, and LibraryImport would need unsafe code in the project.
    [DllImport("libc", EntryPoint = "setpriority")]
    private static extern int SetPriority(int which, int who, int priority);
}
