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

    /// <summary>0 … 9; a higher priority is claimed first in its circle.</summary>
    public int Priority { get; init; }

    /// <summary>When a <see cref="TaskState.Scheduled"/> task becomes pending; null otherwise.</summary>
    public DateTimeOffset? RunAt { get; init; }

    /// <summary>The task this one re-runs (<c>POST …/retry</c>); null otherwise.</summary>
    public string? RetryOf { get; init; }

    /// <summary>
    /// The latest task made by re-running this one (<c>POST …/retry</c>); null while there is none,
    /// and then left out of the record a completion message carries (a task being completed has
    /// not been re-run).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? RetriedBy { get; init; }

    public ScriptLanguage Language { get; init; }

    /// <summary>The registered script the task was submitted by name with, and its version; null for a script sent as text.</summary>
    public string? ScriptName { get; init; }

    public int? ScriptVersion { get; init; }

    /// <summary>The schedule whose firing made the task; null for a task submitted by a caller.</summary>
    public string? ScheduleName { get; init; }
}

/// <summary>What a caller submits: the script, its args as JSON text, its time budget, and when and how it runs.</summary>
public sealed record NewTask(string Script, string ArgsJson, int TimeoutMs, string? Caller = null)
{
    public ScriptLanguage Language { get; init; }

    /// <summary>The id to give the task; one is generated when null.</summary>
    public string? Id { get; init; }

    /// <summary>0 (the default) … 9.</summary>
    public int Priority { get; init; }

    /// <summary>When to make it pending; null or a time not in the future: at once.</summary>
    public DateTimeOffset? RunAt { get; init; }

    /// <summary>Runs again after a <c>script_error</c> or <c>timeout</c>, per this policy.</summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>The task this one re-runs.</summary>
    public string? RetryOf { get; init; }

    /// <summary>
    /// The registered script <see cref="Script"/> was read from, when the caller named one. The
    /// task keeps the text itself, so deleting the registered script never affects it.
    /// </summary>
    public string? ScriptName { get; init; }

    public int? ScriptVersion { get; init; }
}

/// <summary>
/// How a failed run is tried again: up to <see cref="Attempts"/> more runs, the n-th after
/// <c>BackoffMs × Factor^(n-1)</c> milliseconds. Only <c>script_error</c> and <c>timeout</c> are retried.
/// </summary>
public sealed record RetryPolicy(int Attempts, long BackoffMs, double Factor)
{
    public const int MaxAttempts = 10;
    public const double MaxFactor = 10;

    /// <summary>The longest single delay: a backoff is capped here, as is a delayed task's due time.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(30);

    /// <summary>The error codes a retry policy applies to.</summary>
    public static bool Retries(string? code) => code is ErrorCodes.ScriptError or ErrorCodes.Timeout;

    /// <summary>The wait before the n-th retry (n ≥ 1), capped at <see cref="MaxDelay"/>.</summary>
    public TimeSpan DelayBefore(int n) =>
        TimeSpan.FromMilliseconds(Math.Min(BackoffMs * Math.Pow(Factor, n - 1), MaxDelay.TotalMilliseconds));
}

/// <summary>Task priorities: one queue lane per priority.</summary>
public static class TaskPriority
{
    public const int Lowest = 0, Highest = 9, Count = Highest + 1;

    public static bool IsValid(int priority) => priority is >= Lowest and <= Highest;
}

/// <summary>
/// A task a worker has claimed: the task as stored once claimed (<see cref="Record"/>: processing,
/// this attempt, this worker), what it runs, and the lease token that fences its completion.
/// </summary>
public sealed record ClaimedTask(TaskRecord Record, string Script, string ArgsJson, string LeaseToken)
{
    /// <summary>The W3C traceparent of the submit, so the run joins its trace.</summary>
    public string? TraceParent { get; init; }

    public string Id => Record.Id;

    public string Circle => Record.Circle;

    /// <summary>This run's attempt, from 1.</summary>
    public int Attempt => Record.Attempts;

    /// <summary>The task as a later read would return it once this run ended with <paramref name="outcome"/>.</summary>
    public TaskRecord Finished(TaskOutcome outcome, DateTimeOffset finishedAt) => Record with
    {
        Status = outcome.Status,
        ResultJson = string.IsNullOrEmpty(outcome.ResultJson) ? null : outcome.ResultJson,
        Error = outcome.Error,
        Output = outcome.Output,
        FinishedAt = finishedAt,
        DurationMs = outcome.DurationMs,
    };
}

/// <summary>How a run ended, as the worker reports it.</summary>
public sealed record TaskOutcome(TaskState Status, string? ResultJson, TaskError? Error, string Output, double DurationMs);
