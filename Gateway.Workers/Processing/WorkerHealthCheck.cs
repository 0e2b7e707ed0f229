using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Workers.Processing;

/// <summary>Ready while the worker loop runs (or when this process runs no workers at all).</summary>
public sealed class WorkerHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var worker = services.GetService<WorkerService>();
        if (worker is null)
            return Task.FromResult(HealthCheckResult.Healthy("This process runs no workers."));
        return Task.FromResult(worker.ExecuteTask is { IsCompleted: true }
            ? HealthCheckResult.Unhealthy("The worker loop has stopped.")
            : HealthCheckResult.Healthy($"{worker.Busy} tasks running."));
    }
}
