namespace Emotion.Orleans.Inference;

/// <summary>Where ONNX Runtime runs the encoders.</summary>
public enum ExecutionProvider
{
    /// <summary>The CPU provider (every build).</summary>
    Cpu,

    /// <summary>The CUDA provider; needs the GPU build (<c>-p:InferenceGpu=true</c>), CUDA 13 and cuDNN 9.</summary>
    Cuda,
}
