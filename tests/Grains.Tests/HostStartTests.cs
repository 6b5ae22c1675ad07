using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Options;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>What the host refuses at start.</summary>
[Collection(ClusterDefinition.Name)]
public sealed class HostStartTests
{
    [Fact]
    public void A_production_host_without_api_keys_or_tokens_refuses_to_start()
    {
        using var host = new ConfiguredSiloFactory("Production", new Dictionary<string, string>());

        var error = Assert.Throws<OptionsValidationException>(() => host.CreateClient());

        Assert.Contains("Auth:ApiKeys is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_that_is_neither_a_sha256_nor_long_enough_stops_the_host()
    {
        using var host = new ConfiguredSiloFactory("Production", new Dictionary<string, string>
        {
            ["Auth:ApiKeys:0:Tenant"] = "acme",
            ["Auth:ApiKeys:0:Key"] = "short",
        });

        var error = Assert.Throws<OptionsValidationException>(() => host.CreateClient());

        Assert.Contains("at least 16 characters", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Workers:MaxFaceBatchSize", "0", "1–256")]
    [InlineData("Workers:MaxConcurrentRuns", "0", "1–256")]
    [InlineData("Workers:MaxBatchSize", "300", "1–256")]
    [InlineData("Workers:SpeechBatchWindow", "00:00:02", "0–1 s")]
    [InlineData("Workers:TextBatchWindow", "-00:00:01", "0–1 s")]
    [InlineData("Workers:FaceBatchWindow", "-00:00:00.010", "0–1 s")]
    [InlineData("Workers:VoiceActivityBatchWindow", "00:00:01.500", "0–1 s")]
    public void A_worker_batch_size_run_count_or_batch_window_outside_its_range_stops_the_host(string key, string value, string range)
    {
        using var host = new ConfiguredSiloFactory("Development", new Dictionary<string, string> { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => host.CreateClient());

        Assert.Contains($"{key} must be in {range}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_renamed_batch_window_setting_stops_the_host_and_names_its_new_keys()
    {
        using var host = new ConfiguredSiloFactory("Development", new Dictionary<string, string> { ["Workers:BatchWindow"] = "00:00:00.005" });

        var error = Assert.Throws<OptionsValidationException>(() => host.CreateClient());

        Assert.Contains("Workers:BatchWindow is now Workers:SpeechBatchWindow", error.Message, StringComparison.Ordinal);
        Assert.Contains("Workers:TextBatchWindow", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("01:00:00")]
    public void A_stream_cache_retention_outside_a_second_to_half_an_hour_stops_the_host(string retention)
    {
        using var host = new ConfiguredSiloFactory("Development", new Dictionary<string, string> { ["Silo:StreamCacheRetention"] = retention });

        var error = Assert.Throws<OptionsValidationException>(() => host.CreateClient());

        Assert.Contains("Silo:StreamCacheRetention must be from 00:00:01 to 00:30:00", error.Message, StringComparison.Ordinal);
    }

    private sealed class ConfiguredSiloFactory(string environment, IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment(environment);
            builder.UseSetting("Silo:SiloPort", "11413");
            builder.UseSetting("Silo:GatewayPort", "30413");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureTestServices(services => ClusterFixture.ShareModels(services));
        }
    }
}
