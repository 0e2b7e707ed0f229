using StackExchange.Redis;

namespace Gateway.Core.Redis;

/// <summary>What a task was submitted with: its script, args (JSON text) and the W3C traceparent of the submit.</summary>
public sealed record TaskSource(string Script, string ArgsJson, string? TraceParent);

/// <summary>
/// Reads back the script and args a task was stored with, for a reader who asks for them by id
/// (the dashboard's task page). Kept apart from <see cref="TaskStore"/>'s hot read, which never
/// carries a script of up to 64 KiB it does not need.
/// </summary>
public sealed class TaskSources(IConnectionMultiplexer redis)
{
    private static readonly RedisValue[] Fields = ["status", "script", "args", "traceparent"];

    /// <summary>The task's source, or null when the circle has no such task.</summary>
    public async Task<TaskSource?> GetAsync(string circle, string id)
    {
        var v = await redis.GetDatabase().HashGetAsync(RedisKeys.Task(circle, id), Fields);
        if (v[0].IsNull)
            return null;
        return new TaskSource((string?)v[1] ?? "", v[2].IsNullOrEmpty ? "null" : (string)v[2]!, v[3].IsNullOrEmpty ? null : (string?)v[3]);
    }
}
