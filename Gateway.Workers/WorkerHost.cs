using Gateway.Core;
using Gateway.Hosting;
using Gateway.Scripting;
using Gateway.Workers.Processing;

namespace Gateway.Workers;

/// <summary>The worker-only host: the worker loop, plus health and metrics on a small HTTP port.</summary>
public static class WorkerHost
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.AddGatewayDefaults("gateway-worker").AddCheck<WorkerHealthCheck>("workers", tags: [HealthEndpoints.ReadyTag]);
        builder.AddGatewayCore();
        builder.AddScripting();
        builder.AddWorkers(always: true);

        var app = builder.Build();
        app.MapGatewayDefaults();
        app.Run();
    }
}
