using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Hosting;

public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    /// <summary>The checks that decide readiness: those tagged <see cref="ReadyTag"/>.</summary>
    public static bool IsReadinessCheck(HealthCheckRegistration check) => check.Tags.Contains(ReadyTag);

    /// <summary>Health checks every host has; hosts add their own with the <see cref="ReadyTag"/> tag.</summary>
    public static IHealthChecksBuilder AddGatewayHealthChecks(this IServiceCollection services) =>
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: [ReadyTag]);

    /// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: every ready check passes.</summary>
    public static IEndpointRouteBuilder MapGatewayHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false })
            .WithTags("Health").WithSummary("Liveness: the process answers.");
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = IsReadinessCheck })
            .WithTags("Health").WithSummary("Readiness: every readiness check passes (Redis answers, the workers run); 200 when Healthy or Degraded (serving with a warning), 503 when one fails.");
        return endpoints;
    }
}
