namespace Emotion.Orleans.Grains;

/// <summary>Inference worker settings (configuration section <c>Workers</c>).</summary>
public sealed class WorkerOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Workers";

    /// <summary>Most requests one model run takes (text and speech).</summary>
    public int MaxBatchSize { get; set; } = 16;

    /// <summary>
    /// Most frames one face run takes. A frame waits for the whole run it joins, and past 8 frames a
    /// run gains nothing: on the 2-core CPU profile the default face path gave 236 frames per
    /// core-second at batch 1, 268 at 2, 279 at 4 and 8, 267 at 16 (load benchmark's ceiling,
    /// 2026-12-02).
    /// </summary>
    public int MaxFaceBatchSize { get; set; } = 8;

    /// <summary>
    /// How long a face worker waits after a frame for others to join its run (unless the run fills
    /// first). With a 5 ms window the face runs took 2.0 frames on average at 88
    /// calls, a frame costing about a tenth more than in runs of 4; with 20 ms they took 3.8–4.0 and
    /// the process used 1.58–1.67 cores instead of 1.73–1.77 (load benchmark, 2026-12-02). Yet at 111
    /// calls half the runs still took 4–5 frames; with 40 ms they took 8 and the process used 1.66
    /// cores on average over 5 minutes against 1.69–1.79 with 20 ms (60 ms: 1.64), the frames' round
    /// trip p50 37 against 31–33 ms. A frame waits at most this much more.
    /// </summary>
    public TimeSpan FaceBatchWindow { get; set; } = TimeSpan.FromMilliseconds(40);

    /// <summary>
    /// Most calls whose voice-activity windows one VAD run scores (one window of each). The silo
    /// gathers the calls' windows while a run or the wait for a slot is under way; Silero VAD cost
    /// 7.2 ms per second of audio alone and 2.4–2.7 ms with 8–32 calls' windows per run (2-core CPU
    /// profile, inference benchmark, 2026-12-02).
    /// </summary>
    public int MaxVoiceActivityBatchSize { get; set; } = 64;

    /// <summary>
    /// How long the oldest waiting voice-activity window waits for other calls' windows to join its run
    /// (zero: only those that come while a run or the wait for a slot is under way). Without it, runs
    /// at 100 calls took 3.1 calls' windows on average, where a window costs about a third less in
    /// runs of 16 (2-core CPU profile, load benchmark, 2026-12-02); with 20 ms they took 23 at 88 calls,
    /// with 40 ms 41–42, nearer the best batch (32: a third fewer runs for the same windows). A call's
    /// audio waits at most this much more per chunk, and a call sends its next chunk only once the
    /// last is answered: at 104 calls for 240 s, 40 ms gave speech round trips of p50 39–44 and p95
    /// 81–102 ms against 24–28 and 59–75 ms with 20 ms, for the same process CPU (1.82–1.89 cores).
    /// </summary>
    public TimeSpan VoiceActivityBatchWindow { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Model runs the silo keeps going at once, over all workers, and the most one worker activation
    /// keeps going (default: one per core). ONNX Runtime runs each on one thread here, so with one run
    /// at a time the face path could use only one core however many the silo has; with more runs than
    /// cores a burst of face runs would delay the text and speech runs queued behind it. Waiting text
    /// and speech runs get a free slot before waiting face runs; with <see cref="FaceRunsYield"/>
    /// face runs take no slot and run on this many low-priority threads of their own.
    /// </summary>
    public int MaxConcurrentRuns { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Face runs go to threads of their own at the lowest OS priority (true), outside the silo's
    /// model-run slots, so that a silo at its limit gives the cores to the calls' audio, text and
    /// messaging first and sheds frames; false runs them on the thread pool within the slots, after
    /// waiting text and speech runs.
    /// </summary>
    public bool FaceRunsYield { get; set; } = true;

    /// <summary>
    /// How long a speech worker waits after an utterance for others to join its model run (unless the
    /// batch fills first); zero runs each as it comes. The speech CNN costs the same per utterance alone
    /// or in runs of 16 on CPU, so a longer wait would only delay the call's audio.
    /// </summary>
    public TimeSpan SpeechBatchWindow { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// How long the text worker waits after a transcript segment for others to join its encoder run
    /// (unless the batch fills first). The encoder costs a segment about 1.6 times as much alone as in
    /// runs of 8 (268 against 439 segments per core-second on the 2-core CPU profile, load benchmark's
    /// ceiling, 2026-12-02), and segments are sparse (one per call every few seconds): with 5 ms the
    /// runs took 1.3 segments on average at 160 calls; with 100 ms and one worker activation, 5.6 at
    /// 130 calls, the segments' round trip p50 84 ms and p99 140 ms. A segment waits at most this much more.
    /// </summary>
    public TimeSpan TextBatchWindow { get; set; } = TimeSpan.FromMilliseconds(100);
}
