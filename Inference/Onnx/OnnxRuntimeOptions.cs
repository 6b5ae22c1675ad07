namespace Emotion.Orleans.Inference;

/// <summary>How ONNX Runtime sessions are created; bound from the <c>Inference:OnnxRuntime</c> section.</summary>
public sealed class OnnxRuntimeOptions
{
    /// <summary>Requested provider. CUDA falls back to CPU, with one log line, when it cannot start.</summary>
    public ExecutionProvider Provider { get; set; } = ExecutionProvider.Cpu;

    /// <summary>CUDA device ordinal.</summary>
    public int CudaDeviceId { get; set; }

    /// <summary>
    /// Threads inside one model run; 0 lets ONNX Runtime choose (one per core). The default is 1:
    /// a silo already runs one model run per core side by side (one worker activation per core, and
    /// each call's voice activity), so threads inside a run only add hand-offs. In 30 s load steps
    /// of 36–56 calls on 2 cores, one thread per run cut p99 event→result from 2.5–4.3 s to
    /// 1.4–2.3 s and the kernel's share of the process's CPU from 11 % to 3 %.
    /// </summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>
    /// Whether idle intra-op threads spin-wait for the next piece of work (ONNX Runtime's
    /// <c>session.intra_op.allow_spinning</c>) instead of sleeping. Spinning shaves the wake-up off
    /// each parallel step of one run but burns the cores while the thread waits, which on a silo
    /// that runs several models at once on few cores takes CPU from the other models' runs.
    /// Off by default, measured on a 2-core host (load average about 21) with MiniLM, the speech CNN
    /// and ResNet18 each called in a loop at once, batches of 8, ORT's default threads, the two
    /// settings interleaved in one run (median ms per call, off vs on): text 452 vs 763, speech
    /// 213 vs 370, face 2135 vs 3017, so spinning made every model 1.4 to 1.7 times slower.
    /// Only matters when a session has more than one intra-op thread.
    /// </summary>
    public bool AllowSpinning { get; set; }
}
