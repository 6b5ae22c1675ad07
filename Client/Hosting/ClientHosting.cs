using Emotion.Orleans.Grains;
using Emotion.Orleans.Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using StackExchange.Redis;

namespace Emotion.Orleans.Client;

/// <summary>Builds the host the replay runs in: a client of a Redis-clustered deployment, or an embedded silo.</summary>
public static class ClientHosting
{
    /// <summary>The host for the options.</summary>
    /// <param name="options">The command line.</param>
    /// <param name="configureServices">
    /// Runs last on the host's services (registrations made here replace earlier ones), e.g. to
    /// share models already loaded in the process.
    /// </param>
    public static IHost Build(ReplayOptions options, Action<IServiceCollection>? configureServices = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        // The replay prints the timeline for people: Orleans' start-up advice (server GC, watchdog) is
        // noise there, and a host that fails to start is reported by the command itself.
        builder.Logging.AddFilter("Orleans", LogLevel.Error);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.Services.AddSingleton<EmotionCallClient>();
        if (options.Redis is { } redis)
        {
            builder.UseOrleansClient(client =>
            {
                client.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis));
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = options.ClusterId;
                    o.ServiceId = options.ServiceId;
                });
                client.AddMemoryStreams(CallStreams.Provider);
            });
        }
        else
        {
            // The embedded silo runs the models of the default bundle (configuration section Inference).
            builder.Services.AddEmotionInference(builder.Configuration);
            builder.UseOrleans(silo =>
            {
                // Ports of their own so the replay can run beside a local silo.
                silo.UseLocalhostClustering(siloPort: 11211, gatewayPort: 30100);
                silo.AddMemoryGrainStorage(CallStreams.Storage);
                silo.AddEmotionCalls(builder.Configuration);
            });
        }

        configureServices?.Invoke(builder.Services);
        return builder.Build();
    }
}
