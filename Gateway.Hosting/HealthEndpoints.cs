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

    /// <summary>Health checks every host has; hosts add their own with the <see cref="ReadyTag"/> tag.</summary>
    public static IHealthChecksBuilder AddGatewayHealthChecks(this IServiceCollection services) =>
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: [ReadyTag]);

    /// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: every ready check passes.</summary>
    public static IEndpointRouteBuilder MapGatewayHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false })
            .WithTags("Health").WithSummary("Liveness: the process answers.");
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) })
            .WithTags("Health").WithSummary("Readiness: Redis answers and the workers run.");
        return endpoints;
    }
}
