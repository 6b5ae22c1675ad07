using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace Emotion.Orleans.Inference;

/// <summary>
/// Creates the one shared <see cref="InferenceSession"/> of each model with the configured
/// execution provider. <c>Run</c> is thread-safe, so callers keep and share what this returns.
/// </summary>
public sealed partial class OnnxSessionFactory
{
    private readonly OnnxRuntimeOptions _options;
    private readonly ILogger _logger;
    private int _cudaState; // 0 untried, 1 works, -1 failed (logged once)

    /// <summary>Creates the factory.</summary>
    public OnnxSessionFactory(OnnxRuntimeOptions? options = null, ILogger<OnnxSessionFactory>? logger = null)
    {
        _options = options ?? new OnnxRuntimeOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>True once a session has been created on the CUDA provider.</summary>
    public bool UsesCuda => Volatile.Read(ref _cudaState) == 1;

    /// <summary>Creates a session over an ONNX file.</summary>
    public InferenceSession Create(string modelPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"ONNX model not found at '{modelPath}'.", modelPath);
        }

        return Create(options => new InferenceSession(modelPath, options));
    }

    /// <summary>Creates a session over ONNX model bytes.</summary>
    public InferenceSession Create(byte[] model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Create(options => new InferenceSession(model, options));
    }

    private InferenceSession Create(Func<SessionOptions, InferenceSession> open)
    {
        if (_options.Provider == ExecutionProvider.Cuda && Volatile.Read(ref _cudaState) >= 0)
        {
            using var cudaOptions = NewOptions();
            try
            {
                cudaOptions.AppendExecutionProvider_CUDA(_options.CudaDeviceId);
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                // The provider library or CUDA/cuDNN is missing: no model can use it, and ONNX
                // Runtime does not fall back by itself.
                if (Interlocked.Exchange(ref _cudaState, -1) != -1)
                {
                    LogCudaUnavailable(_logger, ex.Message);
                }
            }

            if (Volatile.Read(ref _cudaState) >= 0)
            {
                try
                {
                    var session = open(cudaOptions);
                    Volatile.Write(ref _cudaState, 1);
                    return session;
                }
                catch (OnnxRuntimeException ex)
                {
                    // The provider loaded but this one model cannot run on it (an operator or a
                    // memory limit): only this model goes to the CPU; the others keep the GPU.
                    LogModelOnCpu(_logger, ex.Message);
                }
            }
        }

        using var cpuOptions = NewOptions();
        return open(cpuOptions);
    }

    private SessionOptions NewOptions()
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,

            // Memory patterns are planned and kept once per distinct set of input shapes; live
            // batches and transcript lengths keep producing new shapes, so a long-running silo's
            // native memory would keep growing by one plan at a time.
            EnableMemoryPattern = false,
        };
        if (_options.IntraOpThreads > 0)
        {
            options.IntraOpNumThreads = _options.IntraOpThreads;
        }

        options.AddSessionConfigEntry("session.intra_op.allow_spinning", _options.AllowSpinning ? "1" : "0");

        return options;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "CUDA execution provider unavailable, running ONNX models on CPU: {Reason}")]
    private static partial void LogCudaUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A model could not open on the CUDA execution provider and runs on CPU: {Reason}")]
    private static partial void LogModelOnCpu(ILogger logger, string reason);
}
