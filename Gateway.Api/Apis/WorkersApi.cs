using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Api.Apis;

/// <summary>The live worker processes.</summary>
public static class WorkersApi
{
    public static RouteGroupBuilder MapWorkersApi(this RouteGroupBuilder api)
    {
        api.MapGet("/workers", List).WithTags("Workers").WithName("ListWorkers")
            .WithSummary("Live workers: each process's id, host, circles, concurrency, busy slots, start, last heartbeat and tasks processed.");
        return api;
    }

    public static async Task<Ok<WorkerListView>> List(WorkerRegistry registry) =>
        TypedResults.Ok(new WorkerListView(await registry.ListAsync()));
}

public sealed record WorkerListView(IReadOnlyList<WorkerInfo> Workers);
