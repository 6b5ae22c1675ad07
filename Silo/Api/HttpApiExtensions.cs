using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Emotion.Orleans.Silo;

/// <summary>The HTTP API's services and pipeline: problem details, API-key tenants, per-tenant rate limits, body limits, the management port.</summary>
public static class HttpApiExtensions
{
    /// <summary>Authorization policy of the call endpoints: an authenticated tenant.</summary>
    public const string TenantPolicy = "tenant";

    /// <summary>The default authentication scheme: forwards to the API key or the bearer scheme by the request's headers.</summary>
    public const string CredentialsScheme = "Credentials";

    /// <summary>Rate-limiting policy of the call endpoints: a token bucket per tenant.</summary>
    public const string TenantRateLimitPolicy = "per-tenant";

    /// <summary>Registers the API's services from the <c>Api</c> and <c>Auth</c> sections (validated on start).</summary>
    public static WebApplicationBuilder AddEmotionHttpApi(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<ApiOptions>()
            .Bind(builder.Configuration.GetSection(ApiOptions.Section))
            .Validate(o => o.MaxTextBodyBytes > 0 && o.MaxAudioBodyBytes > 0 && o.MaxFrameBodyBytes > 0, "Api:Max*BodyBytes must be positive.")
            .Validate(o => Math.Max(o.MaxTextBodyBytes, Math.Max(o.MaxAudioBodyBytes, o.MaxFrameBodyBytes)) <= int.MaxValue, "Api:Max*BodyBytes must fit in memory (at most 2 GiB).")
            .Validate(o => o.EventsBufferSize > 0, "Api:EventsBufferSize must be positive.")
            .Validate(o => o.EventsEndGrace >= TimeSpan.Zero, "Api:EventsEndGrace must not be negative.")
            .Validate(o => o.RateLimit.IsValid && o.TenantRateLimits.Values.All(l => l.IsValid), "Api:RateLimit and Api:TenantRateLimits need positive TokenLimit, TokensPerPeriod and ReplenishmentPeriod.")
            .ValidateOnStart();
        services.AddOptions<AuthOptions>()
            .Bind(builder.Configuration.GetSection(AuthOptions.Section))
            .Validate(o => o.ApiKeys.Count > 0 || o.Jwt.Enabled, "Auth:ApiKeys is empty and Auth:Jwt is off: the HTTP API needs at least one key (Auth:ApiKeys:0:Tenant and Auth:ApiKeys:0:KeySha256) or a token issuer.")
            .Validate(o => !o.Jwt.Enabled || !string.IsNullOrWhiteSpace(o.Jwt.Audience), "Auth:Jwt:Audience is required when tokens are accepted.")
            .Validate(o => string.IsNullOrWhiteSpace(o.Jwt.SigningKey) || (IsBase64(o.Jwt.SigningKey, out var key) && key.Length >= 32), "Auth:Jwt:SigningKey must be base64 of at least 32 bytes.")
            .Validate(o => string.IsNullOrWhiteSpace(o.Jwt.SigningKey) || !string.IsNullOrWhiteSpace(o.Jwt.Issuer), "Auth:Jwt:Issuer is required with a signing key.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Jwt.TenantClaim), "Auth:Jwt:TenantClaim must not be empty.")
            .Validate(o => o.ApiKeys.All(k => TenantClaims.IsSafeId(k.Tenant, TenantClaims.MaxTenantLength)), "Auth:ApiKeys:*:Tenant must be 1–64 letters, digits, '-', '_' or '.'.")
            .Validate(o => o.ApiKeys.All(k => string.IsNullOrWhiteSpace(k.KeySha256) != string.IsNullOrEmpty(k.Key)), "Each Auth:ApiKeys entry needs exactly one of KeySha256 and Key.")
            .Validate(o => o.ApiKeys.All(k => IsSha256Hex(k.KeySha256) || (k.Key?.Length ?? 0) >= 16), "Auth:ApiKeys:*:KeySha256 must be 64 hex digits; a Key at least 16 characters.")
            .ValidateOnStart();

        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));

        // Before AddProblemDetails: the first writer that can write wins, and this one always can.
        services.AddSingleton<IProblemDetailsWriter, JsonProblemDetailsWriter>();
        services.AddProblemDetails();
        services.AddExceptionHandler<CallExceptionHandler>();

        // Binding errors (malformed JSON, wrong types, bad query values) throw in every environment,
        // so the exception handler answers them with problem details rather than an empty 400.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

        // Header-borne credentials only (API key, bearer token): no cookie authentication exists, so
        // a cross-site request carries no credentials. A request's header picks the scheme.
        var auth = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var authentication = services.AddAuthentication(CredentialsScheme)
            .AddPolicyScheme(CredentialsScheme, "API key or bearer token", o => o.ForwardDefaultSelector = context =>
                auth.Jwt.Enabled && context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        if (auth.Jwt.Enabled)
        {
            authentication.AddJwtBearer(o => TenantTokens.Configure(o, auth.Jwt));
        }

        services.AddAuthorizationBuilder()
            .AddPolicy(TenantPolicy, p => p.RequireAuthenticatedUser().RequireClaim(TenantClaims.Tenant));

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(TenantRateLimitPolicy, context =>
            {
                var tenant = context.User.FindFirst(TenantClaims.Tenant)?.Value ?? "";
                var limit = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.RateLimitOf(tenant);
                return RateLimitPartition.GetTokenBucketLimiter(tenant, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limit.TokenLimit,
                    TokensPerPeriod = limit.TokensPerPeriod,
                    ReplenishmentPeriod = limit.ReplenishmentPeriod,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            o.OnRejected = WriteRateLimitedAsync;
        });

        // Kestrel never reads more than the largest endpoint limit; each endpoint then applies its own.
        var api = builder.Configuration.GetSection(ApiOptions.Section).Get<ApiOptions>() ?? new ApiOptions();
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = Math.Max(api.MaxTextBodyBytes, Math.Max(api.MaxAudioBodyBytes, api.MaxFrameBodyBytes)));
        AddManagementPort(builder);
        return builder;
    }

    /// <summary>
    /// The API's pipeline: problem details for every error (exceptions and bare status codes), then
    /// routing, authentication, authorization, per-tenant rate limits and the body limits.
    /// </summary>
    public static WebApplication UseEmotionHttpApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseMiddleware<ManagementPortMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        return app;
    }

    /// <summary>Maps OpenAPI and metrics on the management port only (<c>Silo:ManagementPort</c>).</summary>
    public static WebApplication MapEmotionManagement(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var host = $"*:{ManagementPortOptions.PortOf(app.Configuration)}";
        app.MapOpenApi().RequireHost(host).WithMetadata(ManagementEndpoint.Instance);
        app.MapEmotionMetrics().RequireHost(host).WithMetadata(ManagementEndpoint.Instance);
        return app;
    }

    private static bool IsBase64(string value, out byte[] bytes)
    {
        bytes = new byte[value.Length];
        if (!Convert.TryFromBase64String(value, bytes, out var written))
        {
            return false;
        }

        bytes = bytes[..written];
        return true;
    }

    private static bool IsSha256Hex(string? value) =>
        value is { Length: 64 } && value.All(char.IsAsciiHexDigit);

    private static async ValueTask WriteRateLimitedAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var tenant = http.User.FindFirst(TenantClaims.Tenant)?.Value ?? "";
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
            ? wait
            : http.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.RateLimitOf(tenant).ReplenishmentPeriod;
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status429TooManyRequests,
            Title = "Too many requests",
            Detail = $"This tenant's request rate is over its limit; retry after {seconds} s.",
            Extensions = { ["reason"] = "RateLimited", ["retryAfterSeconds"] = seconds },
        };
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
    }

    // The API keeps the addresses it was given (--urls, ASPNETCORE_URLS, ASPNETCORE_HTTP_PORTS, or
    // Kestrel's default); the management port is added beside them, on loopback when the API is.
    private static void AddManagementPort(WebApplicationBuilder builder)
    {
        var port = ManagementPortOptions.PortOf(builder.Configuration);
        var urls = builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey);
        if (string.IsNullOrWhiteSpace(urls))
        {
            var ports = new[] { ("http", builder.WebHost.GetSetting(WebHostDefaults.HttpPortsKey)), ("https", builder.WebHost.GetSetting(WebHostDefaults.HttpsPortsKey)) }
                .SelectMany(p => (p.Item2 ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => $"{p.Item1}://*:{n}"))
                .ToList();
            urls = ports.Count > 0 ? string.Join(';', ports) : "http://localhost:5000";
        }

        var loopbackOnly = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .All(u => u.Contains("://localhost", StringComparison.OrdinalIgnoreCase) || u.Contains("://127.0.0.1", StringComparison.Ordinal) || u.Contains("://[::1]", StringComparison.Ordinal));
        builder.WebHost.UseUrls($"{urls};http://{(loopbackOnly ? "localhost" : "*")}:{port}");
    }
}

/// <summary>The management port (<c>Silo:ManagementPort</c>): OpenAPI and Prometheus metrics, apart from the API.</summary>
public static class ManagementPortOptions
{
    /// <summary>Configuration key.</summary>
    public const string Key = "Silo:ManagementPort";

    /// <summary>Default port.</summary>
    public const int DefaultPort = 9464;

    /// <summary>The configured port.</summary>
    /// <exception cref="InvalidOperationException">The port is not 1–65535.</exception>
    public static int PortOf(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var port = configuration.GetValue(Key, DefaultPort);
        return port is > 0 and <= 65535 ? port : throw new InvalidOperationException($"{Key} must be 1–65535; got {port}.");
    }
}

/// <summary>Endpoint metadata: served on the management port only.</summary>
internal sealed class ManagementEndpoint
{
    public static ManagementEndpoint Instance { get; } = new();
}

/// <summary>
/// The Host header can claim any port, so where the server knows the port a connection arrived on,
/// management endpoints answer only there and API endpoints never do (404 otherwise).
/// </summary>
internal sealed class ManagementPortMiddleware(RequestDelegate next, IConfiguration configuration)
{
    private readonly int _port = ManagementPortOptions.PortOf(configuration);

    public Task InvokeAsync(HttpContext context)
    {
        var local = context.Connection.LocalPort;
        if (local != 0 && context.GetEndpoint() is { } endpoint && (endpoint.Metadata.GetMetadata<ManagementEndpoint>() is not null) != (local == _port))
        {
            context.SetEndpoint(null);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        return next(context);
    }
}
