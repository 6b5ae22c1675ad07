using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>
/// The silo host with its HTTP API, in process, on ports of its own. Its Program registers the
/// product's inference; the test only hands it the models <see cref="ClusterFixture"/> loaded.
/// </summary>
/// <param name="siloPort">Silo-to-silo port (a second host in the run needs its own).</param>
/// <param name="gatewayPort">Client gateway port.</param>
public sealed class SiloApiFactory(int siloPort = 11411, int gatewayPort = 30411) : WebApplicationFactory<Program>
{
    /// <summary>The management port the API host is configured with (its default).</summary>
    public const int ManagementPort = 9464;

    /// <summary>A client of the API as <paramref name="tenant"/> (its API key on every request).</summary>
    public HttpClient ClientOf(string tenant) => CreateClient().As(tenant);

    /// <summary>A client addressing the management port (metrics, OpenAPI).</summary>
    public HttpClient ManagementClient() => CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri($"http://localhost:{ManagementPort}") });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Silo:SiloPort", siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Silo:GatewayPort", gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Fusion:CadenceInterval", "00:00:01");
        builder.UseTestTenants();
        builder.ConfigureTestServices(services => ClusterFixture.ShareModels(services));
    }
}
