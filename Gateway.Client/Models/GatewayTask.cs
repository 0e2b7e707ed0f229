using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Gateway.Client;

/// <summary>
/// A task as the gateway reports it. Fields the server adds later are ignored; fields an older
/// server does not send stay <see langword="null"/>.
/// </summary>
public sealed record GatewayTask
{
    /// <summary>Opaque, URL-safe, time-ordered id.</summary>
    public required string Id { get; init; }

    /// <summary>The circle (queue) the task belongs to.</summary>
    public required string Circle { get; init; }

    /// <summary>Where the task is in its life.</summary>
    public required GatewayTaskStatus Status { get; init; }

    /// <summary>The script's completion value as JSON, when <see cref="GatewayTaskStatus.Completed"/> (may be JSON <c>null</c>).</summary>
    public JsonElement? Result { get; init; }

    /// <summary>Why the task failed, when <see cref="GatewayTaskStatus.Failed"/>.</summary>
    public TaskError? Error { get; init; }

    /// <summary>What the script printed, one line per call.</summary>
    public string Output { get; init; } = "";

    /// <summary>Runs so far, counting every retry and every run after a lost worker.</summary>
    public int Attempts { get; init; }

    /// <summary>When the task was submitted.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When its (latest) run started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it reached its terminal state.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Run time of the script in milliseconds.</summary>
    public double? DurationMs { get; init; }

    /// <summary>The worker that ran it.</summary>
    public string? WorkerId { get; init; }

    /// <summary>The name of the API key (or token subject, or <c>schedule:NAME</c>) that submitted it.</summary>
    public string? Caller { get; init; }

    /// <summary>Script language: <c>javascript</c> or <c>rhai</c>.</summary>
    public string? Language { get; init; }

    /// <summary>Priority 0 … 9; higher is claimed first.</summary>
    public int? Priority { get; init; }

    /// <summary>When a scheduled task is due; null unless it was submitted with a run time or delay.</summary>
    public DateTimeOffset? RunAt { get; init; }

    /// <summary>The registered script it runs, when submitted by name.</summary>
    public string? ScriptName { get; init; }

    /// <summary>The registered script's version it runs.</summary>
    public int? ScriptVersion { get; init; }

    /// <summary>The schedule that made it, if any.</summary>
    public string? ScheduleName { get; init; }

    /// <summary>The failed or cancelled task this one re-runs, if any.</summary>
    public string? RetryOf { get; init; }

    /// <summary>The latest task made by re-running this one (<see cref="GatewayClient.RetryAsync"/>), if any.</summary>
    public string? RetriedBy { get; init; }

    /// <summary>True once the task is completed, failed or cancelled: it will not change again.</summary>
    [JsonIgnore]
    public bool IsTerminal => Status.IsTerminal();

    /// <summary>The result read as <typeparamref name="T"/> with source-generated metadata (trimming and AOT safe).</summary>
    /// <exception cref="InvalidOperationException">The task has not completed.</exception>
    public T? GetResult<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return RequireResult().Deserialize(typeInfo);
    }

    /// <summary>The result read as <typeparamref name="T"/> with the given options (web defaults when null).</summary>
    /// <exception cref="InvalidOperationException">The task has not completed.</exception>
    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode("Uses reflection-based JSON; use the JsonTypeInfo<T> overload when trimming.")]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode("Uses reflection-based JSON; use the JsonTypeInfo<T> overload for native AOT.")]
    public T? GetResult<T>(JsonSerializerOptions? options = null) =>
        RequireResult().Deserialize<T>(options ?? Wire.WebJson.Options);

    private JsonElement RequireResult()
    {
        if (Status != GatewayTaskStatus.Completed)
            throw new InvalidOperationException($"Task '{Id}' is {Status.ToWire()}; only a completed task has a result.");
        // A completed task whose result is JSON null (or an older server that left it out): default(T).
        return Result ?? JsonNull;
    }

    private static readonly JsonElement JsonNull = JsonDocument.Parse("null").RootElement.Clone();
}

/// <summary>Why a task failed.</summary>
/// <param name="Code">One of the contract's codes: <c>syntax_error</c>, <c>script_error</c>, <c>timeout</c>, <c>memory_limit</c>, <c>statement_limit</c>, <c>recursion_limit</c>, <c>result_too_large</c>, <c>lost</c>, <c>internal</c> (more may come).</param>
/// <param name="Message">What went wrong, without server internals.</param>
/// <param name="Line">Line in the script, when known.</param>
/// <param name="Column">Column in the script, when known.</param>
public sealed record TaskError(string Code, string Message, int? Line = null, int? Column = null);
