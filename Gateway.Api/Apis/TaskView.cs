using System.Text.Json;
using Gateway.Core.Redis;
using Gateway.Core.Queueing;

namespace Gateway.Api.Apis;

/// <summary>A task as the API shows it.</summary>
public sealed record TaskView(
    string Id,
    string Circle,
    string Status,
    JsonElement? Result,
    TaskError? Error,
    string Output,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    double? DurationMs,
    string? WorkerId,
    string? Caller)
{
    /// <summary><c>javascript</c> or <c>rhai</c>.</summary>
    public string Language { get; init; } = ScriptLanguages.JavaScript;

    public static TaskView From(TaskRecord task) => new(
        task.Id,
        task.Circle,
        task.Status.ToWire(),
        task.ResultJson is null ? null : JsonSerializer.Deserialize<JsonElement>(task.ResultJson),
        task.Error,
        task.Output,
        task.Attempts,
        task.CreatedAt,
        task.StartedAt,
        task.FinishedAt,
        task.DurationMs,
        task.WorkerId,
        task.Caller)
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
        JsonSerializer.Deserialize<JsonElement>(source.ArgsJson),
        // traceparent: version-traceid-spanid-flags
        source.TraceParent?.Split('-') is [_, var trace, _, _] ? trace : null);
}

/// <summary>The body of a submit.</summary>
public sealed record SubmitRequest
{
    /// <summary>JavaScript source; its completion value is the result.</summary>
    public string? Script { get; init; }

    /// <summary>Any JSON value, visible to the script as <c>args</c>.</summary>
    public JsonElement? Args { get; init; }

    /// <summary>Wall time of the run, 1 … the server maximum; default 5000.</summary>
    public int? TimeoutMs { get; init; }

    /// <summary><c>javascript</c> (the default) or <c>rhai</c>.</summary>
    public string? Language { get; init; }
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

/// <summary>Queue figures of a circle.</summary>
public sealed record CircleView(string Name, long Pending, long Processing, long Recent)
{
    public static CircleView From(CircleStats stats) => new(stats.Name, stats.Pending, stats.Processing, stats.Recent);
}

/// <summary>The known circles.</summary>
public sealed record CircleListView(IReadOnlyList<CircleView> Circles);
