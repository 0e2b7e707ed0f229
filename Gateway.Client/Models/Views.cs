using System.Text.Json;

namespace Gateway.Client;

/// <summary>What a task was submitted with (<see cref="GatewayClient.GetSourceAsync"/>).</summary>
/// <param name="Id">The task.</param>
/// <param name="Script">The text it runs; for a task submitted by a registered script's name, the version it resolved to.</param>
/// <param name="Args">Its args: a JSON <c>null</c> when it was submitted without.</param>
/// <param name="TraceId">The W3C trace id of the request that submitted it; null when that request was not traced.</param>
public sealed record GatewayTaskSource(string Id, string Script, JsonElement Args, string? TraceId);

/// <summary>A circle's queue figures.</summary>
/// <param name="Name">The circle.</param>
/// <param name="Pending">Tasks waiting to be claimed.</param>
/// <param name="Processing">Tasks running now.</param>
/// <param name="Recent">Tasks in the circle's recent list.</param>
/// <param name="Scheduled">Tasks waiting for their due time (delayed, or a retry's backoff).</param>
/// <param name="EntityBytes">Bytes of JSON the circle's domain entities take together.</param>
/// <param name="EntityBytesLimit">The most they may take; a script's create or change past it fails.</param>
/// <param name="Paused">True while an operator has paused the circle: its tasks wait and none is claimed.</param>
/// <param name="Failed">Failed tasks still kept (within the retention), re-run ones included.</param>
public sealed record CircleInfo(string Name, long Pending, long Processing, long Recent, long Scheduled = 0, long EntityBytes = 0, long EntityBytesLimit = 0,
    bool Paused = false, long Failed = 0);

/// <summary>What <see cref="GatewayClient.DrainCircleAsync"/> did.</summary>
/// <param name="Cancelled">How many waiting tasks it cancelled.</param>
/// <param name="Circle">The circle's figures after it.</param>
public sealed record DrainResult(long Cancelled, CircleInfo Circle);

/// <summary>A live worker process.</summary>
/// <param name="Id">Worker id (also in <see cref="GatewayTask.WorkerId"/>).</param>
/// <param name="Host">Machine name.</param>
/// <param name="Circles">Circles it serves (<c>*</c> for all).</param>
/// <param name="Concurrency">Tasks it runs at once.</param>
/// <param name="Busy">Slots in use now.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="LastSeenAt">Its latest heartbeat.</param>
/// <param name="Processed">Tasks it has finished.</param>
public sealed record WorkerInfo(
    string Id,
    string Host,
    IReadOnlyList<string> Circles,
    int Concurrency,
    int Busy,
    DateTimeOffset StartedAt,
    DateTimeOffset LastSeenAt,
    long Processed);

/// <summary>The readiness checks of the API process that answered (<c>GET /api/health</c>).</summary>
/// <param name="Status"><c>healthy</c>, <c>degraded</c> (serving, with a warning) or <c>unhealthy</c>: the worst of <paramref name="Checks"/>.</param>
/// <param name="CheckedAt">When the checks ran.</param>
/// <param name="Checks">Each check, by name.</param>
public sealed record HealthInfo(string Status, DateTimeOffset CheckedAt, IReadOnlyList<HealthCheckInfo> Checks)
{
    /// <summary>True unless a check failed: <c>/health/ready</c> answers 200 for the same report.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsReady => !string.Equals(Status, "unhealthy", StringComparison.OrdinalIgnoreCase);
}

/// <summary>One readiness check.</summary>
/// <param name="Name">The check: <c>redis</c>, <c>workers</c>, <c>embedded-data</c>, or one a newer server adds.</param>
/// <param name="Status"><c>healthy</c>, <c>degraded</c> or <c>unhealthy</c>.</param>
/// <param name="Description">What it found, for people.</param>
/// <param name="DurationMs">How long it took.</param>
public sealed record HealthCheckInfo(string Name, string Status, string? Description, double DurationMs);

/// <summary>One server-sent event of <see cref="GatewayClient.WatchAsync"/>.</summary>
/// <param name="Id">The task's id.</param>
/// <param name="Circle">The task's circle.</param>
/// <param name="Status">Its new status.</param>
/// <param name="Task">The whole task, on the first event and the terminal one; null on the changes between.</param>
public sealed record TaskEvent(string Id, string Circle, GatewayTaskStatus Status, GatewayTask? Task);

/// <summary>One page of a domain view, in id order; <see cref="NextAfter"/> starts the next page, null after the last.</summary>
public sealed record DomainPage(IReadOnlyList<JsonElement> Items, long? NextAfter);

/// <summary>One page of a circle's tasks, newest first; <see cref="NextBefore"/> starts the next page, null when the list ended.</summary>
public sealed record TaskListPage(IReadOnlyList<GatewayTask> Tasks, string? NextBefore);

/// <summary>The read-only domain views of a circle, as scripts left them.</summary>
public enum DomainView
{
    /// <summary><c>/calendars</c></summary>
    Calendars,

    /// <summary><c>/events</c></summary>
    Events,

    /// <summary><c>/flows</c></summary>
    Flows,

    /// <summary><c>/contracts</c></summary>
    Contracts,
}
