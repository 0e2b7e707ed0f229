using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace Gateway.Core.Redis;

/// <summary>
/// The fields of a task's hash (<c>rhai:task:{circle}:id</c>). The Lua scripts write the same
/// names; this is the one place C# names them and builds a <see cref="TaskRecord"/> from them.
/// </summary>
internal static class TaskHash
{
    // Written at submit.
    public const string Id = "id", Circle = "circle", Script = "script", Args = "args", Timeout = "timeout", Caller = "caller",
        TraceParent = "traceparent", Created = "created", Language = "language";

    // When and how it runs: its priority lane, its due time while scheduled, the task it re-runs
    // (and, on that task, the latest task that re-runs it), and its retry policy with the number
    // of retries already scheduled.
    public const string Priority = "priority", RunAt = "runAt", RetryOf = "retryOf", RetriedBy = "retriedBy",
        RetryAttempts = "retryAttempts", RetryBackoff = "retryBackoff", RetryFactor = "retryFactor", Retried = "retried";

    // Where the script came from, when not sent as text: a registered script, a schedule's firing.
    public const string ScriptName = "scriptName", ScriptVersion = "scriptVersion", ScheduleName = "scheduleName";

    // The current run: its state, attempt, lease and worker, and a cancel asked for.
    public const string Status = "status", Attempts = "attempts", Lease = "lease", Worker = "worker", Started = "started", Cancel = "cancel";

    // The outcome, written by complete (or reap, requeue, cancel).
    public const string Result = "result", Error = "error", Output = "output", Finished = "finished", Duration = "duration";

    /// <summary>What a read of a task asks for, in the order <see cref="ToRecord"/> takes them.</summary>
    public static readonly RedisValue[] RecordFields =
        [Id, Status, Result, Error, Output, Attempts, Created, Started, Finished, Duration, Worker, Caller, Timeout, Priority, RunAt, RetryOf, Language, ScriptName, ScriptVersion, ScheduleName, RetriedBy];

    /// <summary>What a re-submit reads, in the order <see cref="ToDefinition"/> takes them.</summary>
    public static readonly RedisValue[] DefinitionFields =
        [Status, Script, Args, Timeout, Priority, RetryAttempts, RetryBackoff, RetryFactor, Language, ScriptName, ScriptVersion];

    /// <summary>The task read with <see cref="RecordFields"/>, or null when there is none.</summary>
    public static TaskRecord? ToRecord(string circle, RedisValue[] v)
    {
        if (v[1].IsNull || !TaskStates.TryParse(v[1], out var status))
            return null;
        return new TaskRecord
        {
            Id = v[0]!,
            Circle = circle,
            Status = status,
            ResultJson = Text(v[2]),
            Error = Text(v[3]) is { } e ? JsonSerializer.Deserialize(e, CoreJson.Default.TaskError) : null,
            Output = (string?)v[4] ?? "",
            Attempts = (int)v[5],
            CreatedAt = Time(v[6]) ?? default,
            StartedAt = Time(v[7]),
            FinishedAt = Time(v[8]),
            DurationMs = Text(v[9]) is { } d ? double.Parse(d, CultureInfo.InvariantCulture) : null,
            WorkerId = Text(v[10]),
            Caller = Text(v[11]),
            TimeoutMs = (int)v[12],
            Priority = v[13].IsNullOrEmpty ? 0 : (int)v[13],
            RunAt = status == TaskState.Scheduled ? Time(v[14]) : null,
            RetryOf = Text(v[15]),
            Language = ScriptLanguages.Parse(v[16]),
            ScriptName = Text(v[17]),
            ScriptVersion = Number(v[18]),
            ScheduleName = Text(v[19]),
            RetriedBy = Text(v[20]),
        };
    }

    /// <summary>
    /// One task as claim_tasks (claiming.lua) returns it, claimed by <paramref name="workerId"/> at
    /// <paramref name="nowMs"/>: { id, script, args, timeout, attempt, caller, created, lease token,
    /// traceparent, priority, retryOf, language, script name, script version, schedule name }.
    /// </summary>
    public static ClaimedTask ToClaimed(string circle, RedisResult[] f, long nowMs, string workerId)
    {
        var record = new TaskRecord
        {
            Id = (string?)f[0] ?? "",
            Circle = circle,
            Status = TaskState.Processing,
            Attempts = (int)f[4],
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds((long)f[6]),
            StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(nowMs),
            WorkerId = workerId,
            Caller = Text(f[5]),
            TimeoutMs = (int)f[3],
            Priority = (int)f[9],
            RetryOf = Text(f[10]),
            Language = ScriptLanguages.Parse(Text(f[11])),
            ScriptName = Text(f[12]),
            ScriptVersion = Number(f[13]),
            ScheduleName = Text(f[14]),
        };
        return new ClaimedTask(record, (string?)f[1] ?? "", (string?)f[2] ?? "null", (string?)f[7] ?? "") { TraceParent = Text(f[8]) };
    }

    /// <summary>The task read with <see cref="DefinitionFields"/> as a new submit of the same script, args and options.</summary>
    public static TaskDefinition? ToDefinition(RedisValue[] v)
    {
        if (v[0].IsNull || !TaskStates.TryParse(v[0], out var status))
            return null;
        var attempts = v[5].IsNullOrEmpty ? 0 : (int)v[5];
        return new TaskDefinition(status, new NewTask((string?)v[1] ?? "", (string?)v[2] ?? "null", (int)v[3])
        {
            Priority = v[4].IsNullOrEmpty ? 0 : (int)v[4],
            Retry = attempts > 0
                ? new RetryPolicy(attempts, (long)v[6], double.Parse((string)v[7]!, CultureInfo.InvariantCulture))
                : null,
            Language = ScriptLanguages.Parse(v[8]),
            ScriptName = Text(v[9]),
            ScriptVersion = v[10].IsNullOrEmpty ? null : (int)v[10],
        });
    }

    /// <summary>A retry factor as stored: invariant, round-trippable.</summary>
    public static string FactorText(double factor) => factor.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>An error as stored: its JSON, or "" for none.</summary>
    public static string ErrorText(TaskError? error) =>
        error is null ? "" : JsonSerializer.Serialize(error, CoreJson.Default.TaskError);

    /// <summary>A duration as stored: milliseconds rounded to three decimals.</summary>
    public static double StoredDuration(double ms) => Math.Round(ms, 3);

    /// <summary>The text of a duration as stored (<see cref="StoredDuration"/>).</summary>
    public static string DurationText(double ms) => StoredDuration(ms).ToString("0.###", CultureInfo.InvariantCulture);

    public static DateTimeOffset? Time(RedisValue ms) =>
        ms.IsNullOrEmpty ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)ms);

    /// <summary>A stored whole number, with "" or absent as null.</summary>
    public static int? Number(RedisValue value) => value.IsNullOrEmpty ? null : (int)value;

    public static int? Number(RedisResult value) => value.IsNull ? null : Number((RedisValue)value);

    /// <summary>A stored text, with "" (how the scripts store "none") as null.</summary>
    public static string? Text(RedisValue value) => value.IsNullOrEmpty ? null : (string?)value;

    public static string? Text(RedisResult value) => value.IsNull ? null : Text((RedisValue)value);
}
