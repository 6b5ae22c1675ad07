using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>
/// The silo host with its HTTP API, in process, on ports of its own. Its Program registers the
/// product's inference; the test only hands it the models <see cref="ClusterFixture"/> loaded.
/// </summary>
public sealed class SiloApiFactory : WebApplicationFactory<Program>
{
    /// <summary>The management port the API host is configured with (its default).</summary>
    public const int ManagementPort = 9464;

    /// <summary>A client of the API as <paramref name="tenant"/> (its API key on every request).</summary>
    public HttpClient ClientOf(string tenant) => CreateClient().As(tenant);

    /// <summary>A client addressing the management port (metrics, OpenAPI).</summary>
    public HttpClient ManagementClient() => CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri($"http://localhost:{ManagementPort}") });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Silo:SiloPort", "11411");
        builder.UseSetting("Silo:GatewayPort", "30411");
        builder.UseSetting("Fusion:CadenceInterval", "00:00:01");
        builder.UseTestTenants();
        builder.ConfigureTestServices(services => ClusterFixture.ShareModels(services));
    }
}
