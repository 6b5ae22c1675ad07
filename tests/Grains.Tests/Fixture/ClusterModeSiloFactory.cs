using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>
/// A silo host in Cluster mode (Redis clustering and storage) with its HTTP API, in process. Its
/// Program registers the product's inference; the test only hands it the models <see cref="ClusterFixture"/> loaded.
/// </summary>
public sealed class ClusterModeSiloFactory(string redis, string serviceId, int siloPort, int gatewayPort, bool gpu = false) : WebApplicationFactory<Program>
{
    /// <summary>Redis to test cluster mode against (<c>EMOTION_REDIS</c>, e.g. 127.0.0.1:6379); null skips those tests.</summary>
    public static string? Redis => Environment.GetEnvironmentVariable("EMOTION_REDIS");

    /// <summary>A client of the API as tenant A.</summary>
    public HttpClient ClientOfA() => CreateClient().As(TestTenants.A);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Silo:Mode", "Cluster");
        builder.UseSetting("Silo:RedisConnectionString", redis);
        builder.UseSetting("Silo:ClusterId", serviceId);
        builder.UseSetting("Silo:ServiceId", serviceId);
        builder.UseSetting("Silo:SiloPort", siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Silo:GatewayPort", gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Orleans:Metadata:gpu", gpu ? "true" : "false");
        builder.UseTestTenants();
        builder.ConfigureTestServices(services => ClusterFixture.ShareModels(services));
    }
}
