namespace Emotion.Orleans.Grains;

/// <summary>Inference worker settings (configuration section <c>Workers</c>).</summary>
public sealed class WorkerOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Workers";

    /// <summary>Most requests one model run takes.</summary>
    public int MaxBatchSize { get; set; } = 16;
}
