using System.Text.Json;

namespace Gateway.Client.Wire;

/// <summary>The body of one submit, as the API reads it; null members are not written.</summary>
internal sealed record SubmitBody
{
    public string? Script { get; init; }
    public JsonElement? Args { get; init; }
    public long? TimeoutMs { get; init; }
    public string? Language { get; init; }
    public string? ScriptName { get; init; }
    public int? ScriptVersion { get; init; }
    public DateTimeOffset? RunAt { get; init; }
    public long? DelayMs { get; init; }
    public int? Priority { get; init; }
    public RetryPolicy? Retry { get; init; }
}

internal sealed record BatchBody(IReadOnlyList<SubmitBody> Tasks);

internal sealed record TaskList(IReadOnlyList<GatewayTask> Tasks);

internal sealed record CircleList(IReadOnlyList<CircleInfo> Circles);

internal sealed record WorkerList(IReadOnlyList<WorkerInfo> Workers);

/// <summary>RFC 9457 ProblemDetails, as far as the client reads it.</summary>
internal sealed record Problem
{
    public string? Type { get; init; }
    public string? Title { get; init; }
    public int? Status { get; init; }
    public string? Detail { get; init; }
    public Dictionary<string, string[]>? Errors { get; init; }
}

/// <summary>The data of a task's <c>status</c> event; the first and terminal ones carry the whole task.</summary>
internal sealed record StatusEventData
{
    public required string Id { get; init; }
    public required string Circle { get; init; }
    public required GatewayTaskStatus Status { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
}

internal sealed record ScriptBody(string Script, string? Language, string? Description);

internal sealed record ScriptList(IReadOnlyList<RegisteredScript> Scripts);

internal sealed record ScheduleList(IReadOnlyList<Schedule> Schedules);
