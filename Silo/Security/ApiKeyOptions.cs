namespace Emotion.Orleans.Silo;

/// <summary>
/// Who may use the HTTP API (configuration section <c>Auth</c>; validated on start): API keys, each
/// naming its tenant, sent in the <c>X-Api-Key</c> header, and/or JWT bearer tokens whose tenant is
/// a claim. A silo refuses to start with neither.
/// </summary>
public sealed class AuthOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Auth";

    /// <summary>The keys (<c>Auth:ApiKeys:0:Tenant</c>, <c>Auth:ApiKeys:0:KeySha256</c> …).</summary>
    public List<ApiKeyEntry> ApiKeys { get; set; } = [];

    /// <summary>JWT bearer tokens (<c>Authorization: Bearer …</c>); off unless an authority or a signing key is set.</summary>
    public JwtOptions Jwt { get; set; } = new();
}

/// <summary>JWT bearer settings (<c>Auth:Jwt</c>).</summary>
public sealed class JwtOptions
{
    /// <summary>OpenID Connect authority whose published keys sign the tokens (e.g. <c>https://login.example.com/realm</c>).</summary>
    public string? Authority { get; set; }

    /// <summary>A symmetric signing key (base64, at least 32 bytes) instead of an authority, for a deployment that issues its own tokens.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Required issuer (<c>iss</c>); with an authority, the authority's.</summary>
    public string? Issuer { get; set; }

    /// <summary>Required audience (<c>aud</c>).</summary>
    public string? Audience { get; set; }

    /// <summary>The claim naming the tenant (default <c>tenant</c>).</summary>
    public string TenantClaim { get; set; } = "tenant";

    /// <summary>Whether tokens are accepted at all.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(SigningKey);
}

/// <summary>One API key and the tenant it speaks for.</summary>
public sealed class ApiKeyEntry
{
    /// <summary>Tenant id: letters, digits, '-', '_' or '.', at most 64 characters.</summary>
    public string Tenant { get; set; } = "";

    /// <summary>SHA-256 of the key, hex (what production configuration holds, so the key itself is nowhere at rest).</summary>
    public string? KeySha256 { get; set; }

    /// <summary>The key itself (development configuration only; prefer <see cref="KeySha256"/>). At least 16 characters.</summary>
    public string? Key { get; set; }
}
