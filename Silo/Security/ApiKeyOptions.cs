namespace Emotion.Orleans.Silo;

/// <summary>
/// Who may use the HTTP API (configuration section <c>Auth</c>; validated on start): API keys, each
/// naming its tenant, sent in the <c>X-Api-Key</c> header. A silo refuses to start without a key.
/// </summary>
public sealed class AuthOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Auth";

    /// <summary>The keys (<c>Auth:ApiKeys:0:Tenant</c>, <c>Auth:ApiKeys:0:KeySha256</c> …).</summary>
    public List<ApiKeyEntry> ApiKeys { get; set; } = [];
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
