using Emotion.Orleans.Client;
using Emotion.Orleans.Inference;
using Emotion.Orleans.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Emotion.Orleans.Replay;

/// <summary>
/// Builds the host a replay runs in: a client of a Redis-clustered deployment
/// (<see cref="ClientHostingExtensions.AddEmotionCallClient"/>), or an embedded silo configured as
/// the product's silo is (<see cref="SiloHostingExtensions.AddEmotionSilo"/> over the silo's
/// <c>appsettings.json</c>), on ports of its own.
/// </summary>
public static class ReplayHosting
{
    /// <summary>Silo-to-silo port of the embedded silo, beside a local silo's 11111.</summary>
    public const int EmbeddedSiloPort = 11211;

    /// <summary>Gateway port of the embedded silo, beside a local silo's 30000.</summary>
    public const int EmbeddedGatewayPort = 30100;

    /// <summary>The host for the options.</summary>
    /// <param name="options">The command line.</param>
    /// <param name="configureServices">
    /// Runs last on the host's services (registrations made here replace earlier ones), e.g. to
    /// share models already loaded in the process.
    /// </param>
    public static IHost Build(ReplayOptions options, Action<IServiceCollection>? configureServices = null)
    {
        ArgumentNullException.ThrowIfNull(options);

        // appsettings.json beside the binaries is the silo's own (copied with the silo project).
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        Dictionary<string, string?> settings = new()
        {
            // The replay prints the timeline for people: Orleans' start-up advice (server GC,
            // watchdog) is noise there, and a host that fails to start is reported by the command.
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Orleans"] = "Error",
            ["Logging:LogLevel:Microsoft.Extensions.Hosting"] = "None",
            ["Silo:SiloPort"] = EmbeddedSiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Silo:GatewayPort"] = EmbeddedGatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (options.Redis is { } redis)
        {
            settings[$"{ClusterClientOptions.Section}:RedisConnectionString"] = redis;
            settings[$"{ClusterClientOptions.Section}:ClusterId"] = options.ClusterId;
            settings[$"{ClusterClientOptions.Section}:ServiceId"] = options.ServiceId;
        }

        builder.Configuration.AddInMemoryCollection(settings);

        // The environment still wins (e.g. Inference__BundlePath), as it does for the silo.
        builder.Configuration.AddEnvironmentVariables();
        if (options.Redis is not null)
        {
            builder.AddEmotionCallClient();
        }
        else
        {
            // As the silo's Program: the models (section Inference) load while the host starts, then the silo.
            builder.Services.AddEmotionInference(builder.Configuration);
            builder.AddEmotionSilo();
            builder.Services.TryAddSingleton<EmotionCallClient>();
        }

        configureServices?.Invoke(builder.Services);
        return builder.Build();
    }
}
