using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>drain.lua: cancel up to N waiting tasks of a circle at once (queued, and when asked scheduled); running ones are left alone.</summary>
internal static class DrainScript
{
    private static readonly LuaScript Lua = LuaScript.Load("drain");

    public sealed record Args(string Circle, long NowMs, long RetentionMs, bool Scheduled, int Most) : ScriptArgs(Circle)
    {
        public override RedisKey[] Keys() => [.. RedisKeys.Waiting(Circle)];

        public override RedisValue[] Argv() => [RedisKeys.TaskPrefix(Circle), Channel, NowMs, RetentionMs, Scheduled ? 1 : 0, Most];
    }

    /// <param name="Cancelled">Tasks this run cancelled.</param>
    /// <param name="Taken">Ids it took from the lanes (and the scheduled set): the cancelled ones and any no longer waiting.</param>
    /// <param name="Left">Ids still waiting after it.</param>
    public sealed record Reply(long Cancelled, long Taken, long Left);

    public static async Task<Reply> RunAsync(IDatabaseAsync db, Args args)
    {
        var reply = await Lua.EvaluateArrayAsync(db, args);
        return new Reply((long)reply[0], (long)reply[1], (long)reply[2]);
    }
}
