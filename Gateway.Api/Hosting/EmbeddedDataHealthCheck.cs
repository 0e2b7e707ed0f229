using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Api.Hosting;

/// <summary>
/// Degraded once the embedded server's data folder passes <c>Gateway:Embedded:DataWarningMegabytes</c>:
/// Garnet does not reclaim the disk its record log spills to (docs/BENCHMARKS.md, <c>garnet-log</c>),
/// so the folder grows for as long as tasks are written. Healthy with a configured Redis.
/// </summary>
public sealed class EmbeddedDataHealthCheck(EmbeddedGarnet embedded, IOptions<EmbeddedRedisOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!embedded.IsRunning)
            return Task.FromResult(HealthCheckResult.Healthy("No embedded server: Redis is configured."));
        var megabytes = embedded.DataBytes() / (1024 * 1024);
        var limit = options.Value.DataWarningMegabytes;
        return Task.FromResult(limit > 0 && megabytes >= limit
            ? HealthCheckResult.Degraded(
                $"The embedded server's data folder holds {megabytes} MB, past the {limit} MB warning: it grows with every task written. Configure ConnectionStrings:Redis for a service that runs for long.")
            : HealthCheckResult.Healthy($"The embedded server's data folder holds {megabytes} MB."));
    }
}
