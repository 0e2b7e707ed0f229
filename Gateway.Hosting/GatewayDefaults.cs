using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateway.Hosting;

/// <summary>What every Gateway host has: the shared settings file, telemetry, logging, health and metrics endpoints.</summary>
public static class GatewayDefaults
{
    /// <summary>
    /// Call first: the settings file is the lowest configuration layer, read before anything
    /// else looks at configuration. Returns the health checks, for the host to add its own.
    /// </summary>
    public static IHealthChecksBuilder AddGatewayDefaults(this IHostApplicationBuilder builder, string serviceName)
    {
        builder.Configuration.AddGatewaySettingsFile();
        builder.AddGatewayTelemetry(serviceName);
        builder.AddGatewayLogging();
        return builder.Services.AddGatewayHealthChecks();
    }

    /// <summary><c>/health/live</c>, <c>/health/ready</c> and <c>/metrics</c>.</summary>
    public static WebApplication MapGatewayDefaults(this WebApplication app)
    {
        app.MapGatewayHealth();
        app.MapGatewayMetrics();
        return app;
    }
}
