namespace Emotion.Orleans.Grains;

/// <summary>Inference worker settings (configuration section <c>Workers</c>).</summary>
public sealed class WorkerOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Workers";

    /// <summary>Most requests one model run takes.</summary>
    public int MaxBatchSize { get; set; } = 16;

    /// <summary>
    /// How long a worker waits after a request for others to join its model run (unless the batch
    /// fills first); zero runs each request as it comes.
    /// </summary>
    public TimeSpan BatchWindow { get; set; } = TimeSpan.FromMilliseconds(5);
}
