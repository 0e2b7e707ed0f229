using Gateway.Core.Recurring;
using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>fire.lua: move a schedule's next due time from the value read, and submit the firing's task in the same script, in the lane of the schedule's priority.</summary>
internal static class FireScript
{
    private static readonly LuaScript Lua = LuaScript.Load("fire", "lanes");

    /// <param name="ScriptName">The registered script the schedule names, whose versions' key the script must declare.</param>
    public sealed record Args(
        string Circle, string Name, string NextRead, string RevRead, string DueMs, string NewNextMs, long NowMs,
        long MaxWaiting, string TaskId, string TraceParent, string? ScriptName) : ScriptArgs(Circle)
    {
        public override RedisKey[] Keys() => ScriptName is { } script
            ? [RedisKeys.Schedule(Circle, Name), RedisKeys.Schedules(Circle), RedisKeys.Index(Circle), .. RedisKeys.Waiting(Circle), RedisKeys.Script(Circle, script)]
            : [RedisKeys.Schedule(Circle, Name), RedisKeys.Schedules(Circle), RedisKeys.Index(Circle), .. RedisKeys.Waiting(Circle)];

        public override RedisValue[] Argv() =>
            [Name, NextRead, RevRead, DueMs, NewNextMs, NowMs, RedisKeys.TaskPrefix(Circle), Channel, Circle, MaxWaiting, TaskId, TraceParent];
    }

    /// <summary>What the script did, and the task it submitted (or the unfinished one it skipped for).</summary>
    public sealed record Reply(FiringOutcome Outcome, string? TaskId);

    public static async Task<Reply> RunAsync(IDatabaseAsync db, Args args)
    {
        var reply = await Lua.EvaluateArrayAsync(db, args);
        return new Reply(Lua.Code<FiringOutcome>(reply[0]), reply.Length > 1 ? (string?)reply[1] : null);
    }
}
