using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Emotion.Orleans.Silo;

/// <summary>
/// JWT bearer tokens as a second way in: signature, issuer, audience and lifetime are checked, and
/// the token's tenant claim (<see cref="JwtOptions.TenantClaim"/>) becomes the request's
/// <see cref="TenantClaims.Tenant"/>; a token without a well-formed tenant is refused.
/// </summary>
internal static class TenantTokens
{
    public static void Configure(JwtBearerOptions options, JwtOptions jwt)
    {
        options.MapInboundClaims = false;
        options.Audience = jwt.Audience;
        options.TokenValidationParameters.ValidAudience = jwt.Audience;
        options.TokenValidationParameters.ValidateAudience = true;
        options.TokenValidationParameters.ValidateLifetime = true;
        options.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(30);
        if (!string.IsNullOrWhiteSpace(jwt.Authority))
        {
            options.Authority = jwt.Authority;
        }
        else
        {
            options.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(Convert.FromBase64String(jwt.SigningKey!));
            options.TokenValidationParameters.ValidateIssuerSigningKey = true;
        }

        if (!string.IsNullOrWhiteSpace(jwt.Issuer))
        {
            options.TokenValidationParameters.ValidIssuer = jwt.Issuer;
            options.TokenValidationParameters.ValidateIssuer = true;
        }

        options.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                var tenant = context.Principal?.FindFirst(jwt.TenantClaim)?.Value;
                if (!TenantClaims.IsSafeId(tenant, TenantClaims.MaxTenantLength))
                {
                    context.Fail($"The token has no well-formed '{jwt.TenantClaim}' claim.");
                    return Task.CompletedTask;
                }

                // One tenant claim, under the product's claim type, whatever the issuer calls it.
                context.Principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(TenantClaims.Tenant, tenant!)], JwtBearerDefaults.AuthenticationScheme));
                return Task.CompletedTask;
            },
        };
    }
}
