using System.Buffers;
using System.Security.Claims;

namespace Emotion.Orleans.Silo;

/// <summary>
/// The tenant of a request and the grain key of its calls: <c>{tenant}/{callId}</c>, so a tenant
/// only ever reaches its own calls (another tenant's call id is simply an unknown call to it).
/// </summary>
public static class TenantClaims
{
    /// <summary>Claim type holding the tenant id.</summary>
    public const string Tenant = "tenant";

    /// <summary>Longest call id accepted.</summary>
    public const int MaxCallIdLength = 100;

    /// <summary>Longest tenant id accepted.</summary>
    public const int MaxTenantLength = 64;

    // Letters, digits and - _ . only: ids appear in logs and grain keys, so nothing that could break a line, quote or path.
    private static readonly SearchValues<char> SafeChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    /// <summary>Whether an id is 1–<paramref name="maxLength"/> safe characters (letters, digits, '-', '_', '.').</summary>
    public static bool IsSafeId(string? id, int maxLength) =>
        !string.IsNullOrEmpty(id) && id.Length <= maxLength && !id.AsSpan().ContainsAnyExcept(SafeChars);

    /// <summary>The tenant of an authenticated principal.</summary>
    /// <exception cref="InvalidOperationException">The principal has no tenant (an endpoint was mapped without authorization).</exception>
    public static string TenantOf(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirst(Tenant)?.Value is { } tenant && IsSafeId(tenant, MaxTenantLength)
            ? tenant
            : throw new InvalidOperationException("The request has no tenant.");
    }

    /// <summary>The grain key of a tenant's call.</summary>
    public static string CallKey(string tenant, string callId) => $"{tenant}/{callId}";
}
