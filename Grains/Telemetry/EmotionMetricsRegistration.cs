using Emotion.Orleans.Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Emotion.Orleans.Grains;

/// <summary>Registers <see cref="EmotionMetrics"/> (no exporter: the host chooses one).</summary>
public static class EmotionMetricsRegistration
{
    /// <summary>
    /// The product's <see cref="EmotionMetrics"/> and the <see cref="IInferenceStageObserver"/> that
    /// records the recognizers' stage times through it. The metrics are created when the host starts so a silo reports
    /// <c>emotion_silo_info</c> before its first grain records anything. Safe to call more than once.
    /// </summary>
    public static IServiceCollection AddEmotionMetrics(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetrics();
        services.AddOptions<EmotionTelemetryOptions>();
        services.TryAddSingleton<EmotionMetrics>();
        services.TryAddSingleton<IInferenceStageObserver, MetricsStageObserver>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, EmotionMetricsActivation>());
        return services;
    }

    private sealed class EmotionMetricsActivation(EmotionMetrics metrics) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(metrics);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
