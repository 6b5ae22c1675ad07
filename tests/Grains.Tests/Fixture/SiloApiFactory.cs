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
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Silo:SiloPort", "11411");
        builder.UseSetting("Silo:GatewayPort", "30411");
        builder.UseSetting("Fusion:CadenceInterval", "00:00:01");
        builder.ConfigureTestServices(services => ClusterFixture.ShareModels(services));
    }
}
