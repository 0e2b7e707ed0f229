using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Security;

public static partial class SecurityExtensions
{
    public const string ApiPolicy = "api";

    /// <summary>API keys, per-caller rate limits and the request limits of Kestrel.</summary>
    public static WebApplicationBuilder AddGatewaySecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations();
        services.AddOptionsWithValidateOnStart<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations();
        services.AddSingleton<ApiKeys>();
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

    /// <summary>The bucket a request draws from: its key's caller, or its client address.</summary>
    private static string PartitionOf(HttpContext context)
    {
        var keys = context.RequestServices.GetRequiredService<ApiKeys>();
        var request = context.Request;
        var presented = request.Headers.Authorization.ToString() is { Length: > 7 } auth && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? auth[7..].Trim()
            : request.Headers["X-Api-Key"].ToString();
        if (!keys.Open && presented.Length > 0 && keys.Find(presented) is { } caller)
            return "key:" + caller.Name;
        return "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
    }

    /// <summary>Says at start when the API is open to anyone.</summary>
    public static void WarnWhenOpen(this WebApplication app)
    {
        if (app.Services.GetRequiredService<ApiKeys>().Open)
            LogOpen(app.Logger);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No API keys are configured (Gateway:Auth:ApiKeys): the API is open to anyone who can reach it")]
    private static partial void LogOpen(ILogger logger);
}
