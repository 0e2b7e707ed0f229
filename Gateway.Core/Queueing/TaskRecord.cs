namespace Gateway.Core.Queueing;

/// <summary>
/// A task as stored in Redis. <see cref="ResultJson"/> is the script's completion value as JSON text
/// (present when completed); <see cref="ArgsJson"/> is the caller's args as JSON text.
/// </summary>
public sealed record TaskRecord
{
    public required string Id { get; init; }
    public required string Circle { get; init; }
    public required TaskState Status { get; init; }
    public string? ResultJson { get; init; }
    public TaskError? Error { get; init; }
    public string Output { get; init; } = "";
    public int Attempts { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public double? DurationMs { get; init; }
    public string? WorkerId { get; init; }
    public string? Caller { get; init; }
    public int TimeoutMs { get; init; }

    /// <summary>The registered script the task was submitted by name with, and its version; null for a script sent as text.</summary>
    public string? ScriptName { get; init; }

    public int? ScriptVersion { get; init; }

    /// <summary>The schedule whose firing made the task; null for a task submitted by a caller.</summary>
    public string? ScheduleName { get; init; }
}

/// <summary>What a caller submits: the script, its args as JSON text, and its time budget.</summary>
public sealed record NewTask(string Script, string ArgsJson, int TimeoutMs, string? Caller = null)
{
    /// <summary>The id to give the task; one is generated when null.</summary>
    public string? Id { get; init; }

    /// <summary>
    /// The registered script <see cref="Script"/> was read from, when the caller named one. The
    /// task keeps the text itself, so deleting the registered script never affects it.
    /// </summary>
    public string? ScriptName { get; init; }

    public int? ScriptVersion { get; init; }
}

/// <summary>A task a worker has claimed, with the lease token that fences its completion.</summary>
public sealed record ClaimedTask(
    string Id,
    string Circle,
    string Script,
    string ArgsJson,
    int TimeoutMs,
    int Attempt,
    string? Caller,
    string LeaseToken,
    DateTimeOffset CreatedAt)
{
    /// <summary>The W3C traceparent of the submit, so the run joins its trace.</summary>
    public string? TraceParent { get; init; }

    /// <summary>When this attempt was claimed, as stored with the task.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>The worker that claimed it.</summary>
    public string? WorkerId { get; init; }

    public string? ScriptName { get; init; }

    public int? ScriptVersion { get; init; }

    public string? ScheduleName { get; init; }
}

/// <summary>How a run ended, as the worker reports it.</summary>
public sealed record TaskOutcome(TaskState Status, string? ResultJson, TaskError? Error, string Output, double DurationMs);
