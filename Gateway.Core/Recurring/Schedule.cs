namespace Gateway.Core.Recurring;

/// <summary>Whether a schedule fires while the task of its previous firing has not finished.</summary>
public enum ScheduleOverlap
{
    /// <summary>The firing is skipped (the default).</summary>
    Skip,

    /// <summary>It fires regardless.</summary>
    Allow,
}

/// <summary>
/// What a schedule runs and when: the task each firing submits (its script as text, or a
/// registered script's name with an optional pinned version, resolved at each firing), the cron
/// expression and time zone, overlap and whether it is enabled.
/// </summary>
public sealed record ScheduleDefinition(
    string Cron,
    string TimeZone,
    string? Script,
    string? ScriptName,
    int? ScriptVersion,
    string Language,
    string ArgsJson,
    int TimeoutMs,
    ScheduleOverlap Overlap,
    bool Enabled)
{
    /// <summary>The priority (0 … 9) of each firing's task: the lane it waits in.</summary>
    public int Priority { get; init; }

    /// <summary>Each firing's task runs again after a <c>script_error</c> or <c>timeout</c>, as a submitted one with this policy does.</summary>
    public RetryPolicy? Retry { get; init; }
}

/// <summary>A stored schedule: its definition and where it stands.</summary>
public sealed record ScheduleRecord(string Circle, string Name, ScheduleDefinition Definition)
{
    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The next due time; null when disabled or when the expression has no further occurrence.</summary>
    public DateTimeOffset? NextRunAt { get; init; }

    /// <summary>The due time of the last firing that submitted a task.</summary>
    public DateTimeOffset? LastRunAt { get; init; }

    /// <summary>The task that firing submitted.</summary>
    public string? LastTaskId { get; init; }
}

/// <summary>What one due time of a schedule came to; the values are fire.lua's reply codes.</summary>
public enum FiringOutcome
{
    /// <summary>Another process fired it (or the schedule was changed or deleted meanwhile): nothing done here.</summary>
    Moved = 0,

    /// <summary>A task was submitted.</summary>
    Fired = 1,

    /// <summary>Skipped: the previous firing's task has not finished and overlap is <see cref="ScheduleOverlap.Skip"/>.</summary>
    Overlapping = 2,

    /// <summary>Not fired: the due time passed too long ago (after downtime); the next one will.</summary>
    Missed = 3,

    /// <summary>Skipped: the circle holds as many waiting tasks (queued in any lane, or scheduled) as it may.</summary>
    QueueFull = 4,

    /// <summary>Skipped: the registered script it names (or its pinned version) no longer exists.</summary>
    ScriptMissing = 5,

    /// <summary>
    /// Left to the other processes: this one cannot work out the schedule's times (its zone is
    /// unknown here, or its stored fields do not read: <see cref="Firing.Error"/>), so it neither
    /// fires it nor moves its due time. No script answers this.
    /// </summary>
    NotHere = 6,
}

/// <summary>One due time handled: the schedule, what came of it, and the task when one was submitted.</summary>
public sealed record Firing(string Circle, string Name, FiringOutcome Outcome, DateTimeOffset? Due, string? TaskId)
{
    /// <summary>Why the schedule could not be read, for a <see cref="FiringOutcome.NotHere"/> that is not about its zone.</summary>
    public Exception? Error { get; init; }
}
