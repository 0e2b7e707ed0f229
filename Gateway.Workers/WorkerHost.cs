using Gateway.Core;
using Gateway.Core.Configuration;
using Gateway.Core.Health;
using Gateway.Core.Telemetry;
using Gateway.Scripting;
using Gateway.Workers.Processing;

namespace Gateway.Workers;

/// <summary>The worker-only host: the worker loop, plus health on a small HTTP port.</summary>
public static class WorkerHost
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Configuration.AddGatewaySettingsFile();
        builder.AddGatewayCore();
        builder.AddScripting();
        builder.AddWorkers(always: true);
        builder.AddGatewayTelemetry("gateway-worker");
        builder.AddGatewayLogging();
        builder.Services.AddGatewayHealthChecks().AddCheck<WorkerHealthCheck>("workers", tags: [HealthEndpoints.ReadyTag]);

        var app = builder.Build();
        app.MapGatewayHealth();
        app.MapGatewayMetrics();
        app.Run();
    }
}
