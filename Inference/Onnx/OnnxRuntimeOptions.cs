namespace Emotion.Orleans.Inference;

/// <summary>How ONNX Runtime sessions are created; bound from the <c>Inference:OnnxRuntime</c> section.</summary>
public sealed class OnnxRuntimeOptions
{
    /// <summary>Requested provider. CUDA falls back to CPU, with one log line, when it cannot start.</summary>
    public ExecutionProvider Provider { get; set; } = ExecutionProvider.Cpu;

    /// <summary>CUDA device ordinal.</summary>
    public int CudaDeviceId { get; set; }

    /// <summary>Threads inside one model run; 0 lets ONNX Runtime choose (one per core).</summary>
    public int IntraOpThreads { get; set; }
}
