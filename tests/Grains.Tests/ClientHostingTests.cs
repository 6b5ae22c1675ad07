using Emotion.Orleans.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Emotion.Orleans.Grains.Tests;

public sealed class ClientHostingTests
{
    [Fact]
    public void A_cluster_client_without_a_redis_connection_string_is_refused_with_a_clear_error()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddEmotionCallClient());

        Assert.Contains("ClusterClient:RedisConnectionString is required.", error.Failures);
    }
}
