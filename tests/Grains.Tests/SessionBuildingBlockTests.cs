using Emotion.Orleans.Inference;
using Microsoft.Extensions.Time.Testing;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>The small types the call session and the workers are built from, on their own.</summary>
public sealed class SessionBuildingBlockTests
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(20);

    // Runs code one piece at a time, as a grain activation's scheduler does.
    private readonly TaskFactory _activation = new(new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler);

    private Task<T> OnActivation<T>(Func<T> work) => _activation.StartNew(work);

    [Fact]
    public async Task A_serial_queue_runs_one_item_at_a_time_in_queue_order()
    {
        var queue = new SerialQueue();
        List<string> log = [];
        var firstMayEnd = new TaskCompletionSource();

        var first = queue.Enqueue(async () =>
        {
            log.Add("first starts");
            await firstMayEnd.Task;
            log.Add("first ends");
            return 1;
        });
        var second = queue.Enqueue(() =>
        {
            log.Add("second");
            return Task.FromResult(2);
        });

        Assert.Equal(["first starts"], log);
        Assert.False(second.IsCompleted);
        firstMayEnd.SetResult();
        Assert.Equal(2, await second.WaitAsync(MaxWait));
        Assert.Equal(1, await first.WaitAsync(MaxWait));
        Assert.Equal(["first starts", "first ends", "second"], log);
    }

    [Fact]
    public async Task A_failed_item_of_a_serial_queue_fails_only_its_own_caller()
    {
        var queue = new SerialQueue();

        var failed = queue.Enqueue<int>(() => throw new InvalidOperationException("bad item"));
        var next = queue.Enqueue(() => Task.FromResult(7));

        await Assert.ThrowsAsync<InvalidOperationException>(() => failed.WaitAsync(MaxWait));
        Assert.Equal(7, await next.WaitAsync(MaxWait));
    }

    [Fact]
    public async Task A_latest_wins_slot_runs_the_first_item_and_lets_a_newer_waiting_item_supersede_an_older_one()
    {
        var slot = new LatestWinsSlot<int>();

        Assert.True(await slot.EnterAsync(1));
        var second = slot.EnterAsync(2);
        Assert.Equal(2, slot.Latest);
        var third = slot.EnterAsync(3);

        Assert.False(await second.WaitAsync(MaxWait));
        Assert.False(third.IsCompleted);
        Assert.Equal(3, slot.Latest);

        slot.Exit();
        Assert.True(await third.WaitAsync(MaxWait));
        Assert.Equal(3, slot.Latest);
        slot.Exit();
        Assert.Null(slot.Latest);
        Assert.True(await slot.EnterAsync(4));
    }

    [Fact]
    public async Task A_coalescing_writer_never_writes_twice_at_once_and_joins_requests_made_meanwhile_into_one_write()
    {
        var inFlight = 0;
        var mostInFlight = 0;
        List<TaskCompletionSource> writes = [];
        var writer = new CoalescingWriter(async () =>
        {
            mostInFlight = Math.Max(mostInFlight, ++inFlight);
            var done = new TaskCompletionSource();
            writes.Add(done);
            await done.Task;
            inFlight--;
        });

        var first = writer.WriteAsync();
        var second = writer.WriteAsync();
        var third = writer.WriteAsync();
        Assert.Single(writes);
        Assert.True(writer.Busy);

        writes[0].SetResult();
        await first.WaitAsync(MaxWait);
        Assert.Equal(2, writes.Count);
        Assert.False(second.IsCompleted);

        writes[1].SetResult();
        await Task.WhenAll(second, third).WaitAsync(MaxWait);
        Assert.Equal(2, writes.Count);
        Assert.Equal(1, mostInFlight);
        Assert.False(writer.Busy);
    }

    [Fact]
    public async Task A_failed_write_fails_the_requests_it_covered_and_the_next_request_writes_again()
    {
        var attempts = 0;
        var writer = new CoalescingWriter(() => ++attempts == 1 ? Task.FromException(new IOException("storage down")) : Task.CompletedTask);

        await Assert.ThrowsAsync<IOException>(() => writer.WriteAsync().WaitAsync(MaxWait));
        await writer.WriteAsync().WaitAsync(MaxWait);
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task Inputs_in_progress_become_idle_when_the_last_one_ends_and_a_scope_counts_once()
    {
        var inputs = new InputsInProgress();
        Assert.True(inputs.WhenIdleAsync().IsCompleted);

        var a = inputs.Enter();
        var b = inputs.Enter();
        var idle = inputs.WhenIdleAsync();
        a.Dispose();
        a.Dispose();
        Assert.Equal(1, inputs.Count);
        Assert.False(idle.IsCompleted);

        b.Dispose();
        await idle.WaitAsync(MaxWait);
        Assert.Equal(0, inputs.Count);
    }

    [Fact]
    public async Task A_batcher_answers_requests_of_one_window_with_one_run_on_its_time_provider()
    {
        var time = new FakeTimeProvider();
        List<int> runs = [];
        var batcher = new RequestBatcher<int, int>(batch => Times10(batch, runs), 4, TimeSpan.FromMilliseconds(20), time);

        var (a, b) = await OnActivation(() => (batcher.Enqueue(1), batcher.Enqueue(2)));
        Assert.False(a.IsCompleted);
        Assert.Empty(runs);

        time.Advance(TimeSpan.FromMilliseconds(20));
        Assert.Equal(10, await a.WaitAsync(MaxWait));
        Assert.Equal(20, await b.WaitAsync(MaxWait));
        Assert.Equal([2], runs);
    }

    [Fact]
    public async Task A_full_batch_runs_without_waiting_for_the_window()
    {
        var time = new FakeTimeProvider();
        List<int> runs = [];
        var batcher = new RequestBatcher<int, int>(batch => Times10(batch, runs), 3, TimeSpan.FromSeconds(1), time);

        var answers = await OnActivation(() => new[] { batcher.Enqueue(1), batcher.Enqueue(2), batcher.Enqueue(3) });

        var outputs = await Task.WhenAll(answers).WaitAsync(MaxWait);
        Assert.Equal([10, 20, 30], outputs);
        Assert.Equal([3], runs);
    }

    [Fact]
    public async Task A_run_that_answers_the_wrong_number_of_outputs_fails_every_request_of_its_batch()
    {
        var batcher = new RequestBatcher<int, int>(batch => [.. batch.Skip(1)], 2, TimeSpan.FromSeconds(1), new FakeTimeProvider());

        var answers = await OnActivation(() => new[] { batcher.Enqueue(1), batcher.Enqueue(2) });

        foreach (var answer in answers)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => answer.WaitAsync(MaxWait));
            Assert.Contains("1 outputs for a batch of 2", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_refused_input_fails_only_its_own_request_of_the_batch()
    {
        var batcher = new RequestBatcher<int, int>(
            batch => batch.Any(x => x < 0) ? throw new InvalidInputException(Modality.Text, InputErrorKind.Empty, "negative") : [.. batch],
            3,
            TimeSpan.Zero,
            new FakeTimeProvider());

        var answers = await OnActivation(() => new[] { batcher.Enqueue(1), batcher.Enqueue(-1), batcher.Enqueue(3) });

        Assert.Equal(1, await answers[0].WaitAsync(MaxWait));
        await Assert.ThrowsAsync<InvalidInputException>(() => answers[1].WaitAsync(MaxWait));
        Assert.Equal(3, await answers[2].WaitAsync(MaxWait));
    }

    [Fact]
    public async Task A_model_run_does_not_hold_the_activation_so_requests_keep_arriving_during_it()
    {
        using var runMayEnd = new ManualResetEventSlim();
        using var runStarted = new SemaphoreSlim(0);
        List<int> runs = [];
        var batcher = new RequestBatcher<int, int>(
            batch =>
            {
                runStarted.Release();
                runMayEnd.Wait(MaxWait);
                return Times10(batch, runs);
            },
            8,
            TimeSpan.Zero,
            new FakeTimeProvider());

        var first = await OnActivation(() => batcher.Enqueue(1));
        Assert.True(await runStarted.WaitAsync(MaxWait));

        // The activation takes the next request while the first run is still going.
        var second = await OnActivation(() => batcher.Enqueue(2)).WaitAsync(MaxWait);
        Assert.False(first.IsCompleted);

        runMayEnd.Set();
        Assert.Equal(10, await first.WaitAsync(MaxWait));
        Assert.Equal(20, await second.WaitAsync(MaxWait));
        lock (runs)
        {
            Assert.Equal([1, 1], runs);
        }
    }

    [Fact]
    public async Task Runs_overlap_up_to_the_allowed_number_and_later_requests_wait_for_a_free_run()
    {
        using var runsMayEnd = new ManualResetEventSlim();
        using var runStarted = new SemaphoreSlim(0);
        var running = 0;
        var mostAtOnce = 0;
        List<int> runs = [];
        var batcher = new RequestBatcher<int, int>(
            batch =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref mostAtOnce, now);
                runStarted.Release();
                runsMayEnd.Wait(MaxWait);
                Interlocked.Decrement(ref running);
                return Times10(batch, runs);
            },
            1,
            TimeSpan.Zero,
            new FakeTimeProvider(),
            maxConcurrentRuns: 2);

        var answers = await OnActivation(() => new[] { batcher.Enqueue(1), batcher.Enqueue(2), batcher.Enqueue(3) });
        Assert.True(await runStarted.WaitAsync(MaxWait));
        Assert.True(await runStarted.WaitAsync(MaxWait));

        // Two runs are going and neither may end: the third request has no run yet.
        Assert.False(await runStarted.WaitAsync(TimeSpan.FromMilliseconds(200)));
        runsMayEnd.Set();
        var outputs = await Task.WhenAll(answers).WaitAsync(MaxWait);
        Assert.Equal([10, 20, 30], outputs);
        Assert.Equal(2, mostAtOnce);
        lock (runs)
        {
            Assert.Equal([1, 1, 1], runs);
        }
    }

    [Fact]
    public async Task A_model_run_slot_is_granted_at_once_while_one_is_free_and_otherwise_when_a_lease_ends()
    {
        var slots = new ModelRunSlots(2);

        var first = await slots.AcquireAsync(ModelRunPriority.Low).WaitAsync(MaxWait);
        var second = await slots.AcquireAsync(ModelRunPriority.High).WaitAsync(MaxWait);
        var third = slots.AcquireAsync(ModelRunPriority.High);

        Assert.False(third.IsCompleted);
        Assert.Equal(1, slots.Waiting);
        first.Dispose();
        (await third.WaitAsync(MaxWait)).Dispose();
        second.Dispose();
        Assert.Equal(0, slots.Waiting);
    }

    [Fact]
    public async Task A_freed_slot_goes_to_waiting_text_and_speech_runs_before_earlier_face_runs()
    {
        var slots = new ModelRunSlots(1);
        var held = await slots.AcquireAsync(ModelRunPriority.High).WaitAsync(MaxWait);

        var face = slots.AcquireAsync(ModelRunPriority.Low);
        var text = slots.AcquireAsync(ModelRunPriority.High);
        var speech = slots.AcquireAsync(ModelRunPriority.High);
        held.Dispose();

        var next = await text.WaitAsync(MaxWait);
        Assert.False(speech.IsCompleted);
        Assert.False(face.IsCompleted);
        next.Dispose();
        (await speech.WaitAsync(MaxWait)).Dispose();
        (await face.WaitAsync(MaxWait)).Dispose();
    }

    [Fact]
    public async Task Ending_a_lease_twice_frees_its_slot_once()
    {
        var slots = new ModelRunSlots(1);
        var lease = await slots.AcquireAsync(ModelRunPriority.High).WaitAsync(MaxWait);
        var waiting = slots.AcquireAsync(ModelRunPriority.High);

        lease.Dispose();
        lease.Dispose();
        var granted = await waiting.WaitAsync(MaxWait);

        // The slot went to the waiting run; the second Dispose did not free another.
        Assert.False(slots.AcquireAsync(ModelRunPriority.High).IsCompleted);
        granted.Dispose();
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelRunSlots(0));
    }

    [Fact]
    public async Task Calls_voice_activity_windows_that_wait_for_a_slot_are_scored_in_one_run_each_as_if_alone()
    {
        using var vad = SileroVad.Load();
        var slots = new ModelRunSlots(1);
        var batcher = new VoiceActivityBatcher(vad, slots, maxStreams: 8);
        float[][] audio = [Tone(440, 0.3f, 4), Tone(220, 0.05f, 3), new float[SileroVad.WindowSamples * 2]];
        var windows = audio.Select(a => (IReadOnlyList<float[]>)[.. a.Chunk(SileroVad.WindowSamples)]).ToList();
        var states = audio.Select(_ => SileroVad.CreateState()).ToList();
        var held = await slots.AcquireAsync(ModelRunPriority.High).WaitAsync(MaxWait);

        var scored = Enumerable.Range(0, audio.Length).Select(i => batcher.ScoreAsync(states[i], windows[i]).AsTask()).ToList();

        // The silo's only slot is taken: nothing is scored until it frees, then all in one batch.
        Assert.DoesNotContain(scored, t => t.IsCompleted);
        held.Dispose();
        var results = await Task.WhenAll(scored).WaitAsync(MaxWait);
        Assert.Equal(1, batcher.Runs);
        for (var i = 0; i < audio.Length; i++)
        {
            var alone = vad.Probabilities(audio[i]);
            Assert.Equal(alone.Length, results[i].Length);
            Assert.All(alone.Zip(results[i]), p => Assert.Equal(p.First, p.Second, 1e-4f));
        }

        // A call's next windows continue from its state.
        var next = await batcher.ScoreAsync(states[0], windows[0]).AsTask().WaitAsync(MaxWait);
        var twice = vad.Probabilities([.. audio[0], .. audio[0]]);
        Assert.All(twice.Skip(windows[0].Count).Zip(next), p => Assert.Equal(p.First, p.Second, 1e-4f));
    }

    [Fact]
    public async Task Voice_activity_windows_wait_out_the_gather_window_for_other_calls_then_share_one_run()
    {
        using var vad = SileroVad.Load();
        var time = new FakeTimeProvider();
        var batcher = new VoiceActivityBatcher(vad, new ModelRunSlots(2), maxStreams: 8, window: TimeSpan.FromMilliseconds(20), time: time);
        float[][] audio = [Tone(440, 0.3f, 2), Tone(220, 0.05f, 3)];
        var windows = audio.Select(a => (IReadOnlyList<float[]>)[.. a.Chunk(SileroVad.WindowSamples)]).ToList();
        var states = audio.Select(_ => SileroVad.CreateState()).ToList();

        var first = batcher.ScoreAsync(states[0], windows[0]).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(15));
        var second = batcher.ScoreAsync(states[1], windows[1]).AsTask();

        // Slots are free, but the oldest request's window is not over: nothing has run yet.
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);
        Assert.Equal(0, batcher.Runs);
        time.Advance(TimeSpan.FromMilliseconds(5));
        var results = await Task.WhenAll(first, second).WaitAsync(MaxWait);
        Assert.Equal(1, batcher.Runs);
        for (var i = 0; i < audio.Length; i++)
        {
            Assert.All(vad.Probabilities(audio[i]).Zip(results[i]), p => Assert.Equal(p.First, p.Second, 1e-4f));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => new VoiceActivityBatcher(vad, new ModelRunSlots(1), 8, window: TimeSpan.FromMilliseconds(-1)));
    }

    private static float[] Tone(double frequency, float amplitude, int windows) =>
        [.. Enumerable.Range(0, windows * SileroVad.WindowSamples).Select(i => amplitude * (float)Math.Sin(2 * Math.PI * frequency * i / PcmAudio.SampleRate))];

    [Fact]
    public async Task A_batch_is_taken_when_a_slot_frees_so_requests_that_came_meanwhile_share_its_run()
    {
        var slots = new ModelRunSlots(1);
        var other = await slots.AcquireAsync(ModelRunPriority.High).WaitAsync(MaxWait);
        List<int> runs = [];
        var batcher = new RequestBatcher<int, int>(batch => Times10(batch, runs), 4, TimeSpan.Zero, new FakeTimeProvider(), maxConcurrentRuns: 2, slots, ModelRunPriority.Low);

        var first = await OnActivation(() => batcher.Enqueue(1));
        var later = await OnActivation(() => new[] { batcher.Enqueue(2), batcher.Enqueue(3) });

        // Another worker's run holds the silo's only slot: nothing of this worker has run yet.
        Assert.False(first.IsCompleted);
        other.Dispose();
        Assert.Equal(10, await first.WaitAsync(MaxWait));
        var outputs = await Task.WhenAll(later).WaitAsync(MaxWait);
        Assert.Equal([20, 30], outputs);
        lock (runs)
        {
            Assert.Equal([3], runs);
        }
    }

    [Fact]
    public async Task Low_priority_run_threads_run_work_on_their_own_threads_at_the_lowest_OS_priority()
    {
        using var threads = new LowPriorityRunThreads(2, "test-run");

        var (name, nice) = await threads.RunAsync(() => (Thread.CurrentThread.Name, CurrentThreadNice())).WaitAsync(MaxWait);

        Assert.StartsWith("test-run-", name, StringComparison.Ordinal);
        Assert.True(threads.Lowered);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(19, nice);
        }
    }

    [Fact]
    public async Task A_failed_low_priority_run_fails_only_its_own_caller()
    {
        using var threads = new LowPriorityRunThreads(1, "test-run");

        var failed = threads.RunAsync<int>(() => throw new InvalidOperationException("bad frame"));
        var next = threads.RunAsync(() => 42);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => failed.WaitAsync(MaxWait));
        Assert.Equal("bad frame", error.Message);
        Assert.Equal(42, await next.WaitAsync(MaxWait));
    }

    [Fact]
    public async Task Disposed_low_priority_run_threads_finish_the_runs_queued_and_refuse_new_ones()
    {
        var threads = new LowPriorityRunThreads(1, "test-run");
        using var firstMayEnd = new ManualResetEventSlim();
        var first = threads.RunAsync(() => firstMayEnd.Wait(MaxWait));
        var queued = threads.RunAsync(() => 7);

        var disposing = Task.Run(threads.Dispose);
        firstMayEnd.Set();
        await disposing.WaitAsync(MaxWait);

        Assert.True(await first.WaitAsync(MaxWait));
        Assert.Equal(7, await queued.WaitAsync(MaxWait));
        Assert.Throws<ObjectDisposedException>(() => { _ = threads.RunAsync(() => 1); });
    }

    [Fact]
    public async Task A_batcher_on_low_priority_threads_runs_its_batches_there_while_every_model_run_slot_is_held()
    {
        var slots = new ModelRunSlots(1);
        using var other = await slots.AcquireAsync(ModelRunPriority.High).WaitAsync(MaxWait);
        using var threads = new LowPriorityRunThreads(1, "test-face");
        List<string?> ranOn = [];
        var batcher = new RequestBatcher<int, int>(
            batch =>
            {
                lock (ranOn)
                {
                    ranOn.Add(Thread.CurrentThread.Name);
                }

                return [.. batch.Select(x => x * 10)];
            },
            4,
            TimeSpan.Zero,
            new FakeTimeProvider(),
            maxConcurrentRuns: 1,
            threads: threads);

        var outputs = await OnActivation(() => new[] { batcher.Enqueue(1), batcher.Enqueue(2) });

        var answers = await Task.WhenAll(outputs).WaitAsync(MaxWait);
        Assert.Equal([10, 20], answers);
        lock (ranOn)
        {
            Assert.All(ranOn, name => Assert.Equal("test-face-0", name));
        }
    }

    // The nice value of the calling thread, from /proc (field 19 of its stat line; the command name
    // before it may hold spaces, so fields are counted after its closing parenthesis).
    private static int? CurrentThreadNice()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[19 - 3], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void A_batcher_needs_at_least_one_run_at_a_time()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestBatcher<int, int>(b => [.. b], 1, TimeSpan.Zero, new FakeTimeProvider(), maxConcurrentRuns: 0));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    private static int[] Times10(IReadOnlyList<int> batch, List<int> runs)
    {
        lock (runs)
        {
            runs.Add(batch.Count);
        }

        return [.. batch.Select(x => x * 10)];
    }
}
