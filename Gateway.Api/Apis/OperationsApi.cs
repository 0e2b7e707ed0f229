using System.Security.Claims;
using Gateway.Api.Security;
using Gateway.Api.OpenApi;
using Gateway.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Api.Apis;

/// <summary>
/// What an operator reads about the service itself: the live worker processes, and readiness in
/// detail — the checks <c>/health/ready</c> runs, each with its status and what it found. The probe
/// answers 200 or 503 with one word; the report answers 200 whatever it says, so a Degraded
/// service says why.
/// </summary>
public static class OperationsApi
{
    public static RouteGroupBuilder MapOperationsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/workers", ListWorkers).WithTags("Workers").WithName("ListWorkers")
            .WithSummary("Live workers: each process's id, host, circles, concurrency, busy slots, start, last heartbeat and tasks processed.");
        api.MapGet("/health", GetHealth).WithTags("Health").WithName("GetHealth")
            .WithSummary("The readiness checks of the process that answers, each with its status (healthy, degraded or unhealthy), what it found and how long it took; 200 whatever the status.");
        return api;
    }

    /// <summary>
    /// A caller granted some circles sees the workers that serve one of them, or every circle, and of
    /// each worker's circles only those it is granted: other callers' circle names are theirs.
    /// </summary>
    public static async Task<Ok<WorkerListView>> ListWorkers(WorkerRegistry registry, ClaimsPrincipal user)
    {
        var workers = new List<WorkerInfo>();
        foreach (var worker in await registry.ListAsync())
        {
            if (worker.Circles.Count == 0)
            {
                workers.Add(worker);
                continue;
            }
            var granted = worker.Circles.Where(user.MayUse).ToArray();
            if (granted.Length > 0)
                workers.Add(granted.Length == worker.Circles.Count ? worker : worker with { Circles = granted });
        }
        return TypedResults.Ok(new WorkerListView(workers));
    }

    public static async Task<Ok<HealthView>> GetHealth(HealthCheckService health, TimeProvider time, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(HealthEndpoints.IsReadinessCheck, cancellationToken);
        var checks = report.Entries
            .Select(e => new HealthCheckView(e.Key, Wire(e.Value.Status), e.Value.Description, Math.Round(e.Value.Duration.TotalMilliseconds, 3)))
            .ToArray();
        return TypedResults.Ok(new HealthView(Wire(report.Status), time.GetUtcNow(), checks));
    }

    private static string Wire(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => HealthStates.Healthy,
        HealthStatus.Degraded => HealthStates.Degraded,
        _ => HealthStates.Unhealthy,
    };
}

/// <summary>The wire names of a readiness status, as <c>GET /api/health</c> shows them.</summary>
public static class HealthStates
{
    public const string Healthy = "healthy";

    /// <summary>Serving, with a warning (<c>/health/ready</c> still answers 200).</summary>
    public const string Degraded = "degraded";

    /// <summary>A check failed (<c>/health/ready</c> answers 503).</summary>
    public const string Unhealthy = "unhealthy";
}

public sealed record WorkerListView(IReadOnlyList<WorkerInfo> Workers);

/// <summary>The readiness report: the worst status of its checks, when it was taken, and each check.</summary>
public sealed record HealthView([property: WireValues(typeof(HealthStates))] string Status, DateTimeOffset CheckedAt, IReadOnlyList<HealthCheckView> Checks);

/// <summary>One readiness check: its name (<c>redis</c>, <c>workers</c>, <c>embedded-data</c>), status, finding and duration.</summary>
public sealed record HealthCheckView(string Name, [property: WireValues(typeof(HealthStates))] string Status, string? Description, double DurationMs);
