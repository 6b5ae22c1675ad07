using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Emotion.Orleans.Inference;

/// <summary>
/// Resolves the inference services while the host starts, before any hosted service (the Orleans
/// silo included) runs its <c>StartAsync</c>: the options are validated and the models load then,
/// so a bad setting or bundle stops the host at start rather than failing the first request. Only
/// what the application resolves counts: when every service has been replaced (test doubles
/// registered after <see cref="InferenceServiceCollectionExtensions.AddEmotionInference"/>), nothing loads.
/// </summary>
/// <param name="services">Where the services are resolved from.</param>
internal sealed class InferenceStartup(IServiceProvider services) : IHostedLifecycleService
{
    private static readonly Type[] Services =
    [
        typeof(ITextRecognizer), typeof(ITextEmbedder), typeof(ISpeechRecognizer), typeof(IFaceRecognizer), typeof(FusionModel),
    ];

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        foreach (var type in Services)
        {
            services.GetRequiredService(type);
        }

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
