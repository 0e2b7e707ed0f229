using System.Text.Json;
using Gateway.Api.OpenApi;
using Gateway.Core.Models;

namespace Gateway.Api.Apis;

/// <summary>A task as the API shows it.</summary>
/// <param name="RetryOf">The failed or cancelled task this one re-runs (<c>POST …/retry</c>).</param>
/// <param name="RetriedBy">The latest task made by re-running this one; null while there is none.</param>
public sealed record TaskView(
    string Id,
    string Circle,
    [property: WireValues(typeof(TaskStates))] string Status,
    JsonElement? Result,
    TaskErrorView? Error,
    string Output,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    double? DurationMs,
    string? WorkerId,
    string? Caller,
    int Priority,
    DateTimeOffset? RunAt,
    string? RetryOf,
    string? ScriptName,
    int? ScriptVersion,
    string? ScheduleName,
    string? RetriedBy)
{
    /// <summary><c>javascript</c> or <c>rhai</c>.</summary>
    public string Language { get; init; } = ScriptLanguages.JavaScript;

    public static TaskView From(TaskRecord task) => new(
        task.Id,
        task.Circle,
        task.Status.ToWire(),
        task.ResultJson is null ? null : StoredJson.ToElement(task.ResultJson),
        TaskErrorView.From(task.Error),
        task.Output,
        task.Attempts,
        task.CreatedAt,
        task.StartedAt,
        task.FinishedAt,
        task.DurationMs,
        task.WorkerId,
        task.Caller,
        task.Priority,
        task.RunAt,
        task.RetryOf,
        task.ScriptName,
        task.ScriptVersion,
        task.ScheduleName,
        task.RetriedBy)
    {
        Language = task.Language.ToWire(),
    };
}

/// <summary>What a task was submitted with; <see cref="TraceId"/> is the W3C trace id of its submit, when traced.</summary>
public sealed record TaskSourceView(string Id, string Script, JsonElement Args, string? TraceId)
{
    public static TaskSourceView From(string id, TaskSource source) => new(
        id,
        source.Script,
        StoredJson.ToElement(source.ArgsJson),
        // traceparent: version-traceid-spanid-flags
        source.TraceParent?.Split('-') is [_, var trace, _, _] ? trace : null);
}

/// <summary>Why a task failed: <c>code</c> is one of the contract's error codes.</summary>
public sealed record TaskErrorView([property: WireValues(typeof(ErrorCodes))] string Code, string Message, int? Line, int? Column)
{
    public static TaskErrorView? From(TaskError? error) =>
        error is null ? null : new(error.Code, error.Message, error.Line, error.Column);
}

/// <summary>
/// The fields of a task that a submit, each task of a batch and a schedule take alike: what runs,
/// with what, for how long, in which lane, and whether it runs again after a failure.
/// </summary>
public abstract record TaskFields
{
    /// <summary>The script's text (JavaScript, or Rhai with <see cref="Language"/>); its last value is the result. Or, instead, <see cref="ScriptName"/>.</summary>
    public string? Script { get; init; }

    /// <summary>Run the circle's registered script of this name instead of sending <see cref="Script"/>; a schedule resolves it at each firing.</summary>
    public string? ScriptName { get; init; }

    /// <summary>With <see cref="ScriptName"/>: this version (from 1) rather than the latest.</summary>
    public int? ScriptVersion { get; init; }

    /// <summary>Any JSON value, visible to the script as <c>args</c>.</summary>
    public JsonElement? Args { get; init; }

    /// <summary>Wall time of the run, 1 … the server maximum; default 5000.</summary>
    [Limit(nameof(Core.Configuration.LimitsOptions.MaxTimeoutMs), Minimum = 1)]
    public int? TimeoutMs { get; init; }

    /// <summary><c>javascript</c> (the default) or <c>rhai</c>: the language of <see cref="Script"/>; a registered script's own is used instead.</summary>
    [WireValues(typeof(ScriptLanguages))]
    public string? Language { get; init; }

    /// <summary>0 (the default) … 9: a higher priority is claimed first in its circle, FIFO within one priority.</summary>
    public int? Priority { get; init; }

    /// <summary>Run again after a <c>script_error</c> or <c>timeout</c>.</summary>
    public RetryRequest? Retry { get; init; }
}

/// <summary>The body of a submit.</summary>
public sealed record SubmitRequest : TaskFields
{
    /// <summary>An ISO 8601 instant (with its offset) at which the task becomes pending: at most a minute past, at most 30 days ahead. Not with <c>delayMs</c>.</summary>
    public DateTimeOffset? RunAt { get; init; }

    /// <summary>Milliseconds from now until the task becomes pending, 0 … 30 days. Not with <c>runAt</c>.</summary>
    public long? DelayMs { get; init; }
}

/// <summary>A retry policy: up to <c>attempts</c> more runs, the n-th after <c>backoffMs × factor^(n-1)</c> ms.</summary>
public sealed record RetryRequest
{
    /// <summary>1 … 10 more runs at most.</summary>
    public int? Attempts { get; init; }

    /// <summary>The wait before the first retry, ≥ 0; default 0. A wait longer than 30 days, this one or one grown by <c>factor</c>, is 30 days.</summary>
    public long? BackoffMs { get; init; }

    /// <summary>What each further wait is multiplied by, 1 … 10; default 1.</summary>
    public double? Factor { get; init; }
}

/// <summary>The body of a batch submit.</summary>
public sealed record BatchRequest
{
    public IReadOnlyList<SubmitRequest>? Tasks { get; init; }
}

/// <summary>The answer to a batch submit, in the order of the request.</summary>
public sealed record BatchView(IReadOnlyList<TaskView> Tasks);

/// <summary>A list of tasks.</summary>
public sealed record TaskListView(IReadOnlyList<TaskView> Tasks);

/// <summary>Queue figures of a circle: <c>pending</c> counts every priority, <c>scheduled</c> the tasks waiting for their time.</summary>
/// <param name="Failed">Failed tasks still kept (within the retention, <c>Gateway:Tasks:RetentionHours</c>), re-run ones included.</param>
/// <param name="EntityBytes">Bytes of JSON the circle's domain entities (calendars, events, flows, contracts) take together.</param>
/// <param name="EntityBytesLimit">The most they may take (<c>Gateway:Limits:MaxModelBytesPerCircle</c>); a script's create or change past it fails.</param>
/// <param name="Paused">True while an operator has paused the circle: its tasks wait and none is claimed.</param>
public sealed record CircleView(string Name, long Pending, long Processing, long Recent, long Scheduled, long Failed, long EntityBytes, long EntityBytesLimit, bool Paused)
{
    public static CircleView From(CircleStats stats, ModelUsage entities) =>
        new(stats.Name, stats.Pending, stats.Processing, stats.Recent, stats.Scheduled, stats.Failed, entities.Bytes, entities.MaxBytes, stats.Paused);
}

/// <summary>The known circles.</summary>
public sealed record CircleListView(IReadOnlyList<CircleView> Circles);

/// <summary>What a drain did: how many waiting tasks it cancelled, and the circle's figures after.</summary>
public sealed record DrainView(long Cancelled, CircleView Circle);
