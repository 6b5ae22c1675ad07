using System.Net;
using System.Net.Sockets;
using Emotion.Orleans.Grains;
using Orleans.Configuration;
using Orleans.Persistence;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.Runtime.MembershipService.SiloMetadata;
using StackExchange.Redis;

namespace Emotion.Orleans.Silo;

/// <summary>Silo configuration for both deployment modes.</summary>
public static class SiloHostingExtensions
{
    /// <summary>Configures Orleans on the host from the <c>Silo</c> section (validated on start).</summary>
    public static IHostApplicationBuilder AddEmotionSilo(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(SiloHostOptions.Section);
        builder.Services.AddOptions<SiloHostOptions>()
            .Bind(section)
            .Validate(o => o.Mode != SiloMode.Cluster || !string.IsNullOrWhiteSpace(o.RedisConnectionString), "Silo:RedisConnectionString is required in Cluster mode.")
            .Validate(o => o.StreamCacheRetention >= TimeSpan.FromSeconds(1) && o.StreamCacheRetention <= SiloHostOptions.MaxStreamCacheRetention, $"Silo:StreamCacheRetention must be from 00:00:01 to {SiloHostOptions.MaxStreamCacheRetention}.")
            .ValidateOnStart();
        var options = section.Get<SiloHostOptions>() ?? new SiloHostOptions();
        builder.UseOrleans(silo =>
        {
            if (options.Mode == SiloMode.Cluster && !string.IsNullOrWhiteSpace(options.RedisConnectionString))
            {
                var redis = ConfigurationOptions.Parse(options.RedisConnectionString);
                silo.UseRedisClustering(o => o.ConfigurationOptions = redis);
                silo.AddRedisGrainStorage(CallStreams.Storage, o => o.ConfigurationOptions = redis);
                silo.Services.AddOptions<RedisStorageOptions>(CallStreams.Storage)
                    .Configure<Serializer, IGrainStorageSerializer>((o, serializer, json) => o.GrainStorageSerializer = StorageSerializers.BinaryReadingPrevious(serializer, json));
                silo.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = options.ClusterId;
                    o.ServiceId = options.ServiceId;
                });
                if (string.IsNullOrWhiteSpace(options.AdvertisedHost))
                {
                    silo.ConfigureEndpoints(IPAddress.Loopback, options.SiloPort, options.GatewayPort);
                }
                else
                {
                    silo.ConfigureEndpoints(options.AdvertisedHost, options.SiloPort, options.GatewayPort, AddressFamily.InterNetwork, listenOnAnyHostAddress: true);
                }

                // In a pod, Orleans' Kubernetes hosting advertises the pod IP (set after the endpoints
                // above, so it wins) and takes the ids from the pod's orleans/* labels.
                if (Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is not null)
                {
                    silo.UseKubernetesHosting();
                }
            }
            else
            {
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort);
                silo.AddMemoryGrainStorage(CallStreams.Storage);

                // The embedded store lives in this process only, so nothing needs its format to be
                // JSON (the storage default): Orleans' binary serializer writes each session state in
                // a fraction of the time and bytes, and an ended call's retained timeline takes less memory.
                silo.Services.AddOptions<MemoryGrainStorageOptions>(CallStreams.Storage)
                    .Configure<Serializer>((o, serializer) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));
            }

            // Publishes Orleans:Metadata (e.g. gpu=true) for the GPU-preferring worker placement.
            silo.UseSiloMetadata();

            // Grain calls carry the trace context, so a media item's trace runs session → worker → fusion.
            silo.AddActivityPropagation();
            silo.AddEmotionCallStreams(options.StreamCacheRetention);
            silo.AddEmotionCalls(builder.Configuration);
        });
        return builder;
    }

    /// <summary>
    /// The stream provider of the calls' input and result streams on a silo: memory streams named
    /// <see cref="CallStreams.Provider"/> (clients configure the same provider), with the in-memory
    /// pub-sub store they need. Memory streams live in the silos' memory: a subscriber gets what is
    /// published while it is subscribed, and the call timeline in grain storage is the durable record.
    /// </summary>
    /// <param name="silo">The silo.</param>
    /// <param name="cacheRetention">How long the streams' cache keeps a delivered event (<see cref="SiloHostOptions.DefaultStreamCacheRetention"/> when null).</param>
    public static ISiloBuilder AddEmotionCallStreams(this ISiloBuilder silo, TimeSpan? cacheRetention = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var retention = cacheRetention ?? SiloHostOptions.DefaultStreamCacheRetention;

        // Orleans keeps cached stream events for 30 minutes so that subscribers can rewind; nothing
        // here rewinds, and with that default a silo's memory grew with every result for the first
        // half hour of traffic. An event leaves the cache once it is this old and this far behind the newest.
        silo.AddMemoryStreams(CallStreams.Provider, streams => streams.ConfigureCacheEviction(eviction => eviction.Configure(o =>
        {
            o.DataMinTimeInCache = retention;
            o.DataMaxAgeInCache = retention;
        })));
        silo.AddMemoryGrainStorage(CallStreams.PubSubStore);
        return silo;
    }
}
