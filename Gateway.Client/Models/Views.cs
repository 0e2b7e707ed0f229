namespace Gateway.Client;

/// <summary>A circle's queue figures.</summary>
/// <param name="Name">The circle.</param>
/// <param name="Pending">Tasks waiting to be claimed.</param>
/// <param name="Processing">Tasks running now.</param>
/// <param name="Recent">Tasks in the circle's recent list.</param>
public sealed record CircleInfo(string Name, long Pending, long Processing, long Recent);

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

/// <summary>One server-sent event of <see cref="GatewayClient.WatchAsync"/>.</summary>
/// <param name="Id">The task's id.</param>
/// <param name="Circle">The task's circle.</param>
/// <param name="Status">Its new status.</param>
/// <param name="Task">The whole task, on the first event and the terminal one; null on the changes between.</param>
public sealed record TaskEvent(string Id, string Circle, GatewayTaskStatus Status, GatewayTask? Task);

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
