using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>JWT bearer tokens as the second way in: the tenant comes from a claim.</summary>
[Collection(ClusterDefinition.Name)]
public sealed class BearerTokenTests(ClusterFixture fixture)
{
    private static string Token(string? tenant, string issuer = TestTenants.TokenIssuer, byte[]? key = null, DateTime? expires = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = "agent-7" };
        if (tenant is not null)
        {
            claims["tenant"] = tenant;
        }

        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = TestTenants.TokenAudience,
            Claims = claims,
            NotBefore = now.AddMinutes(-10),
            IssuedAt = now.AddMinutes(-10),
            Expires = expires ?? now.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? TestTenants.TokenSigningKey), SecurityAlgorithms.HmacSha256),
            Subject = new ClaimsIdentity(),
        });
    }

    private HttpClient Bearer(string token)
    {
        var client = fixture.Api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task A_bearer_token_reaches_the_calls_of_the_tenant_it_names_and_only_those()
    {
        using var byKey = fixture.Api.ClientOf(TestTenants.A);
        var id = $"jwt-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.OK, (await byKey.PostAsync($"/calls/{id}/start", null)).StatusCode);

        using var sameTenant = Bearer(Token(TestTenants.A));
        var status = JsonDocument.Parse(await sameTenant.GetStringAsync($"/calls/{id}")).RootElement;
        Assert.Equal("active", status.GetProperty("state").GetString());

        using var otherTenant = Bearer(Token(TestTenants.B));
        Assert.Equal(HttpStatusCode.NotFound, (await otherTenant.GetAsync($"/calls/{id}")).StatusCode);
    }

    [Fact]
    public async Task Tokens_that_are_forged_expired_from_another_issuer_or_without_a_tenant_are_401()
    {
        var id = $"jwt-{Guid.NewGuid():N}";
        foreach (var token in new[]
        {
            Token(TestTenants.A, key: "another-signing-key-entirely-0123456789abcdef"u8.ToArray()),
            Token(TestTenants.A, expires: DateTime.UtcNow.AddMinutes(-5)),
            Token(TestTenants.A, issuer: "https://someone-else.test"),
            Token(null),
            Token("tenant/../b"),
        })
        {
            using var client = Bearer(token);
            var response = await client.PostAsync($"/calls/{id}/start", null);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }
}
