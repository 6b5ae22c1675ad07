using Emotion.Orleans.Grains;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using StackExchange.Redis;

namespace Emotion.Orleans.Client;

/// <summary>Hosts <see cref="EmotionCallClient"/> as a client of a Redis-clustered deployment.</summary>
public static class ClientHostingExtensions
{
    private const string RedisRequired = "ClusterClient:RedisConnectionString is required.";

    /// <summary>
    /// An Orleans client of the cluster named by the <c>ClusterClient</c> section (validated on
    /// start), with the call streams, and <see cref="EmotionCallClient"/> as a singleton.
    /// </summary>
    /// <exception cref="OptionsValidationException">The section names no Redis.</exception>
    public static IHostApplicationBuilder AddEmotionCallClient(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(ClusterClientOptions.Section);
        builder.Services.AddOptions<ClusterClientOptions>()
            .Bind(section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.RedisConnectionString), RedisRequired)
            .Validate(o => !string.IsNullOrWhiteSpace(o.ClusterId) && !string.IsNullOrWhiteSpace(o.ServiceId), "ClusterClient:ClusterId and ClusterClient:ServiceId must not be empty.")
            .ValidateOnStart();
        var options = section.Get<ClusterClientOptions>() ?? new ClusterClientOptions();

        // Clustering is configured now, not on start: without Redis the client could not be built at all.
        if (string.IsNullOrWhiteSpace(options.RedisConnectionString))
        {
            throw new OptionsValidationException(ClusterClientOptions.Section, typeof(ClusterClientOptions), [RedisRequired]);
        }

        var redis = ConfigurationOptions.Parse(options.RedisConnectionString);
        builder.UseOrleansClient(client =>
        {
            client.UseRedisClustering(o => o.ConfigurationOptions = redis);
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            client.AddEmotionCallStreams();
        });
        builder.Services.TryAddSingleton<EmotionCallClient>();
        return builder;
    }

    /// <summary>
    /// The stream provider of the calls' result and input streams on a client: memory streams named
    /// <see cref="CallStreams.Provider"/>, the provider the product's silos configure.
    /// </summary>
    public static IClientBuilder AddEmotionCallStreams(this IClientBuilder client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.AddMemoryStreams(CallStreams.Provider);
    }
}
