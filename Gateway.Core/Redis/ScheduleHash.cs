using System.Globalization;
using Gateway.Core.Recurring;
using StackExchange.Redis;

namespace Gateway.Core.Redis;

/// <summary>
/// The fields of a schedule's hash (<c>rhai:schedule:{circle}:name</c>). schedule.lua and fire.lua
/// use the same names. <see cref="Next"/> and <see cref="Rev"/> are what a firing compares and
/// sets: a firing moves <c>next</c> only from the value it read, so each due time fires once.
/// </summary>
internal static class ScheduleHash
{
    // The definition, written by schedule.lua ("" for none).
    public const string Cron = "cron", TimeZone = "timeZone", Script = "script", ScriptName = "scriptName", ScriptVersion = "scriptVersion",
        Language = "language", Args = "args", Timeout = "timeout", Priority = "priority", Overlap = "overlap", Enabled = "enabled";

    // Bookkeeping: created and updated (ms); rev counts puts, so a firing never runs a definition it did not read.
    public const string Created = "created", Updated = "updated", Rev = "rev";

    // Where it stands (ms): the next due time ("" when none), the last due time handled (fired, skipped
    // or missed), the due time of the last firing that submitted a task, and that task's id.
    public const string Next = "next", LastDue = "lastDue", LastRun = "lastRun", LastTask = "lastTask";

    /// <summary>The definition as the field/value pairs schedule.lua writes.</summary>
    public static RedisValue[] DefinitionPairs(ScheduleDefinition d) =>
    [
        Cron, d.Cron, TimeZone, d.TimeZone, Script, d.Script ?? "", ScriptName, d.ScriptName ?? "",
        ScriptVersion, d.ScriptVersion is { } v ? v : "", Language, d.Language, Args, d.ArgsJson, Timeout, d.TimeoutMs, Priority, d.Priority,
        Overlap, d.Overlap == ScheduleOverlap.Allow ? "allow" : "skip", Enabled, d.Enabled ? 1 : 0,
        // The task hash's own fields, which fire.lua copies to each firing's task; 0 attempts: no policy.
        TaskHash.RetryAttempts, d.Retry?.Attempts ?? 0, TaskHash.RetryBackoff, d.Retry?.BackoffMs ?? 0,
        TaskHash.RetryFactor, (d.Retry?.Factor ?? 1).ToString("R", CultureInfo.InvariantCulture),
    ];

    /// <summary>The schedule read with HGETALL, or null when there is none.</summary>
    public static ScheduleRecord? ToRecord(string circle, string name, HashEntry[] entries)
    {
        if (entries.Length == 0)
            return null;
        var f = entries.ToDictionary(e => (string)e.Name!, e => e.Value, StringComparer.Ordinal);
        RedisValue Get(string field) => f.TryGetValue(field, out var value) ? value : RedisValue.Null;
        if (Get(Cron).IsNullOrEmpty)
            return null;
        var definition = new ScheduleDefinition(
            Cron: Get(Cron)!,
            TimeZone: TaskHash.Text(Get(TimeZone)) ?? "UTC",
            Script: TaskHash.Text(Get(Script)),
            ScriptName: TaskHash.Text(Get(ScriptName)),
            ScriptVersion: TaskHash.Number(Get(ScriptVersion)),
            Language: TaskHash.Text(Get(Language)) ?? "javascript",
            ArgsJson: TaskHash.Text(Get(Args)) ?? "null",
            TimeoutMs: (int)Get(Timeout),
            Overlap: Get(Overlap) == "allow" ? ScheduleOverlap.Allow : ScheduleOverlap.Skip,
            Enabled: Get(Enabled) == 1)
        {
            // A schedule stored before priorities has no field: its tasks wait at 0, as they did.
            Priority = Get(Priority).IsNullOrEmpty ? 0 : (int)Get(Priority),
            // One stored before retry policies has none, as before.
            Retry = Get(TaskHash.RetryAttempts) is { IsNullOrEmpty: false } attempts && (int)attempts > 0
                ? new RetryPolicy((int)attempts, (long)Get(TaskHash.RetryBackoff),
                    double.Parse((string)Get(TaskHash.RetryFactor)!, CultureInfo.InvariantCulture))
                : null,
        };
        return new ScheduleRecord(circle, name, definition)
        {
            CreatedAt = TaskHash.Time(Get(Created)) ?? default,
            UpdatedAt = TaskHash.Time(Get(Updated)) ?? default,
            NextRunAt = TaskHash.Time(Get(Next)),
            LastRunAt = TaskHash.Time(Get(LastRun)),
            LastTaskId = TaskHash.Text(Get(LastTask)),
        };
    }

    public static string Ms(DateTimeOffset? time) =>
        time is { } t ? t.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) : "";
}
