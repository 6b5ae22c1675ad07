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
    /// <param name="options">The command line.</param>
    /// <param name="addInference">Registers the models of the embedded silo; by default the model bundle.</param>
    /// <exception cref="InvalidOperationException">An embedded silo is needed but inference is not registered.</exception>
    public static IHost Build(ReplayOptions options, Action<IServiceCollection, IConfiguration>? addInference = null)
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
            (addInference ?? EmbeddedInference.Register)(builder.Services, builder.Configuration);
            EmbeddedInference.EnsureRegistered(builder.Services);
        }

        return builder.Build();
    }

    /// <summary>The embedded silo's models.</summary>
    internal static class EmbeddedInference
    {
        private static readonly Type[] Required =
        [
            typeof(ITextRecognizer), typeof(ISpeechRecognizer), typeof(IFaceRecognizer),
            typeof(ITextEmbedder), typeof(ISpeechSegmenterFactory), typeof(FusionModel),
        ];

        /// <summary>
        /// Placeholder until Inference offers <c>services.AddEmotionInference(configuration)</c>,
        /// which this then calls.
        /// </summary>
        public static void Register(IServiceCollection services, IConfiguration configuration)
        {
            ArgumentNullException.ThrowIfNull(services);
            ArgumentNullException.ThrowIfNull(configuration);
        }

        public static void EnsureRegistered(IServiceCollection services)
        {
            var missing = Required.Where(t => !services.Any(d => d.ServiceType == t)).Select(t => t.Name).ToList();
            if (missing.Count > 0)
            {
                throw new InvalidOperationException(
                    $"Inference is not configured ({string.Join(", ", missing)} missing): the embedded silo cannot run without the model bundle. Pass --redis to replay into a running cluster.");
            }
        }
    }
}
