using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Emotion.Orleans.Inference;

/// <summary>
/// Loads <see cref="InferenceModels"/> while the host starts, before any hosted service (the Orleans
/// silo included) runs its <c>StartAsync</c>, so bundle errors stop the host at start.
/// </summary>
/// <param name="services">Where the models are resolved from.</param>
internal sealed class InferenceStartup(IServiceProvider services) : IHostedLifecycleService
{
    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<InferenceModels>();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
