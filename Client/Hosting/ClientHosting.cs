using Emotion.Orleans.Grains;
using Emotion.Orleans.Inference;
using Microsoft.Extensions.Configuration;
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
    public static IHost Build(ReplayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
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
            builder.UseOrleans(silo =>
            {
                // Ports of their own so the replay can run beside a local silo.
                silo.UseLocalhostClustering(siloPort: 11211, gatewayPort: 30100);
                silo.AddMemoryGrainStorage(CallStreams.Storage);
                silo.AddEmotionCalls(builder.Configuration);
            });
            EmbeddedInference.Register(builder.Services, builder.Configuration);
        }

        return builder.Build();
    }

    /// <summary>
    /// Placeholder until Inference offers <c>services.AddEmotionInference(configuration)</c>; then
    /// this class goes and <see cref="Build"/> calls that instead.
    /// </summary>
    internal static class EmbeddedInference
    {
        public static void Register(IServiceCollection services, IConfiguration configuration)
        {
            ArgumentNullException.ThrowIfNull(configuration);
            if (!services.Any(d => d.ServiceType == typeof(FusionModel)))
            {
                throw new InvalidOperationException(
                    "Inference is not configured (recognizers, speech segmenter, fusion model): the embedded silo cannot run without the model bundle. Pass --redis to replay into a running cluster.");
            }
        }
    }
}
