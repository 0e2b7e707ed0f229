using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;

namespace Gateway.Api.Security;

public static partial class SecurityExtensions
{
    public const string ApiPolicy = "api";

    /// <summary>The default scheme: picks, per request, the scheme its credential is for.</summary>
    public const string CredentialScheme = "Credential";

    /// <summary>API keys and JWT bearer tokens, the circle policy, per-caller rate limits and the request limits of Kestrel.</summary>
    public static WebApplicationBuilder AddGatewaySecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations();
        services.AddOptionsWithValidateOnStart<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations();
        services.AddSingleton<ApiKeys>();

        services.ConfigureOptions<JwtBearerSetup>();
        services.AddAuthentication(CredentialScheme)
            .AddPolicyScheme(CredentialScheme, "API key or JWT", o => o.ForwardDefaultSelector = SchemeFor)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtBearer(JwtBearerSetup.Scheme);
        services.AddSingleton<IAuthorizationHandler, CircleAccessHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(CircleAccessRequirement.Policy, p => p.AddRequirements(new CircleAccessRequirement()));
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(ApiPolicy, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                if (options.PermitsPerSecond == 0)
                    return RateLimitPartition.GetNoLimiter("unlimited");
                return RateLimitPartition.GetTokenBucketLimiter(PartitionOf(context), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.Burst,
                    TokensPerPeriod = Math.Max(1, options.PermitsPerSecond / 10),
                    ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var http = rejected.HttpContext;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests.",
                        Detail = $"This caller's rate limit is used up; try again in {retryAfter} s.",
                    },
                });
            };
        });

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 64;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(120);
            kestrel.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(bytesPerSecond: 1024, gracePeriod: TimeSpan.FromSeconds(5));
        });
        return builder;
    }

    /// <summary>
    /// A bearer value that is a configured key is a key; any other bearer value is tried as a JWT
    /// when tokens are configured. Everything else (X-Api-Key, nothing at all) is the key scheme's.
    /// </summary>
    private static string SchemeFor(HttpContext context)
    {
        if (Credentials.Bearer(context.Request) is not { } bearer)
            return ApiKeyAuthenticationHandler.SchemeName;
        var services = context.RequestServices;
        return services.GetRequiredService<IOptions<AuthOptions>>().Value.Jwt.Enabled
            && services.GetRequiredService<ApiKeys>().Find(bearer) is null
            ? JwtBearerSetup.Scheme
            : ApiKeyAuthenticationHandler.SchemeName;
    }

    /// <summary>The bucket a request draws from: its signed-in caller, or its client address.</summary>
    private static string PartitionOf(HttpContext context) =>
        context.User.CallerName() is { } caller
            ? "caller:" + caller
            : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    /// <summary>Authentication, then the rate limit (which buckets by caller), then the circle policy.</summary>
    public static WebApplication UseGatewaySecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Says at start when the API is open to anyone.</summary>
    public static void WarnWhenOpen(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.Open)
            LogOpen(app.Logger);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No API keys nor JWT are configured (Gateway:Auth): the API is open to anyone who can reach it")]
    private static partial void LogOpen(ILogger logger);
}
