using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Emotion.Orleans.Silo;

/// <summary>
/// Authenticates a request by its <c>X-Api-Key</c> header against the configured keys (compared by
/// SHA-256); the principal carries the key's tenant as the <see cref="TenantClaims.Tenant"/> claim.
/// Headers, not cookies: a cross-site form or script cannot send it, so there is nothing to forge.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<AuthOptions> auth) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>Scheme name.</summary>
    public const string SchemeName = "ApiKey";

    /// <summary>Request header holding the key.</summary>
    public const string HeaderName = "X-Api-Key";

    private readonly Dictionary<string, string> _tenantByHash = auth.Value.ApiKeys
        .Select(k => (Hash: HashOf(k), k.Tenant))
        .Where(k => k.Hash is not null)
        .ToDictionary(k => k.Hash!, k => k.Tenant, StringComparer.Ordinal);

    /// <summary>Hex SHA-256 of a key, as <see cref="ApiKeyEntry.KeySha256"/> holds it.</summary>
    public static string Sha256Hex(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (values.Count != 1 || string.IsNullOrEmpty(values[0]))
        {
            return Task.FromResult(AuthenticateResult.Fail("One X-Api-Key header is expected."));
        }

        // The lookup is by hash, so timing reveals nothing about the stored keys.
        if (!_tenantByHash.TryGetValue(Sha256Hex(values[0]!), out var tenant))
        {
            return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        }

        var identity = new ClaimsIdentity([new Claim(TenantClaims.Tenant, tenant)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    private static string? HashOf(ApiKeyEntry entry) =>
        !string.IsNullOrWhiteSpace(entry.KeySha256) ? entry.KeySha256.Trim().ToLowerInvariant()
        : !string.IsNullOrEmpty(entry.Key) ? Sha256Hex(entry.Key)
        : null;
}
