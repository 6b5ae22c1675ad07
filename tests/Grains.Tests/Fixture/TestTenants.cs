using System.Globalization;
using Microsoft.AspNetCore.Hosting;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>The API keys the test hosts are configured with: two ordinary tenants and one with a tiny rate limit.</summary>
public static class TestTenants
{
    public const string A = "tenant-a";
    public const string B = "tenant-b";
    public const string Throttled = "throttled";

    /// <summary>Requests the throttled tenant may make before it is refused (its bucket refills hourly).</summary>
    public const int ThrottledBurst = 3;

    /// <summary>The key of a tenant.</summary>
    public static string KeyOf(string tenant) => $"test-key-of-{tenant}-0123456789";

    /// <summary>The symmetric key the test hosts' bearer tokens are signed with.</summary>
    public static byte[] TokenSigningKey { get; } = System.Text.Encoding.UTF8.GetBytes("test-signing-key-of-the-token-issuer-0123456789");

    /// <summary>
    /// Configuration entries giving every test tenant a key (A's as a hash, the others as plain keys);
    /// they replace the development key of appsettings.Development.json.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Auth:ApiKeys:0:Tenant"] = A,
        ["Auth:ApiKeys:0:Key"] = "",
        ["Auth:ApiKeys:0:KeySha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(KeyOf(A)))),
        ["Auth:ApiKeys:1:Tenant"] = B,
        ["Auth:ApiKeys:1:Key"] = KeyOf(B),
        ["Auth:ApiKeys:2:Tenant"] = Throttled,
        ["Auth:ApiKeys:2:Key"] = KeyOf(Throttled),
        [$"Api:TenantRateLimits:{Throttled}:TokenLimit"] = ThrottledBurst.ToString(CultureInfo.InvariantCulture),
        [$"Api:TenantRateLimits:{Throttled}:TokensPerPeriod"] = "1",
        [$"Api:TenantRateLimits:{Throttled}:ReplenishmentPeriod"] = "01:00:00",
        ["Auth:Jwt:SigningKey"] = Convert.ToBase64String(TokenSigningKey),
        ["Auth:Jwt:Issuer"] = TokenIssuer,
        ["Auth:Jwt:Audience"] = TokenAudience,
    };

    /// <summary>Issuer of the test hosts' bearer tokens.</summary>
    public const string TokenIssuer = "https://issuer.test";

    /// <summary>Audience of the test hosts' bearer tokens.</summary>
    public const string TokenAudience = "emotion-calls";


    /// <summary>Adds the keys to a test host.</summary>
    public static IWebHostBuilder UseTestTenants(this IWebHostBuilder builder)
    {
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        return builder;
    }

    /// <summary>Sends the tenant's key on every request of the client.</summary>
    public static HttpClient As(this HttpClient client, string tenant)
    {
        client.DefaultRequestHeaders.Add("X-Api-Key", KeyOf(tenant));
        return client;
    }
}
