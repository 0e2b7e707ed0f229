using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Workers.Processing;

/// <summary>Ready while the worker loop runs and hears task events (or when this process runs no workers at all).</summary>
public sealed class WorkerHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var worker = services.GetService<WorkerService>();
        if (worker is null)
            return Task.FromResult(HealthCheckResult.Healthy("This process runs no workers."));
        if (worker.ExecuteTask is { IsCompleted: true })
            return Task.FromResult(HealthCheckResult.Unhealthy("The worker loop has stopped."));
        // Until it hears submits, a worker would find new work only at its next idle poll.
        if (!services.GetRequiredService<TaskEvents>().Subscribed.IsCompletedSuccessfully)
            return Task.FromResult(HealthCheckResult.Unhealthy("Not yet listening for task events."));
        return Task.FromResult(HealthCheckResult.Healthy($"{worker.Busy} tasks running."));
    }
}
