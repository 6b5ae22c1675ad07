namespace Emotion.Orleans.Grains;

/// <summary>Inference worker settings (configuration section <c>Workers</c>).</summary>
public sealed class WorkerOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Workers";

    /// <summary>Most requests one model run takes (text and speech).</summary>
    public int MaxBatchSize { get; set; } = 16;

    /// <summary>
    /// Most frames one face run takes. Frames are the heaviest input and a frame waits for the whole
    /// run it joins, so large face batches cost latency without gaining throughput: on the 2-core
    /// CPU profile the face path gave 156 frames per core-second at batch 4 and 137 at batch 16
    /// (load benchmark's ceiling, 2026-12-01).
    /// </summary>
    public int MaxFaceBatchSize { get; set; } = 4;

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
    /// runs of 16 (2-core CPU profile, load benchmark, 2026-12-02). A call's audio waits at most this
    /// much more per chunk.
    /// </summary>
    public TimeSpan VoiceActivityBatchWindow { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Model runs the silo keeps going at once, over all workers, and the most one worker activation
    /// keeps going (default: one per core). ONNX Runtime runs each on one thread here, so with one run
    /// at a time the face path could use only one core however many the silo has; with more runs than
    /// cores a burst of face runs would delay the text and speech runs queued behind it. Waiting text
    /// and speech runs get a free slot before waiting face runs.
    /// </summary>
    public int MaxConcurrentRuns { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// How long a worker waits after a request for others to join its model run (unless the batch
    /// fills first); zero runs each request as it comes.
    /// </summary>
    public TimeSpan BatchWindow { get; set; } = TimeSpan.FromMilliseconds(5);
}
