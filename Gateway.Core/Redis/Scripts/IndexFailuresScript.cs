using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>index-failures.lua: add the failures a circle recorded before its index of failures existed, a run at a time.</summary>
internal static class IndexFailuresScript
{
    private static readonly LuaScript Lua = LuaScript.Load("index-failures");

    public sealed record Args(string Circle, int Most) : ScriptArgs(Circle)
    {
        public override RedisKey[] Keys() => [RedisKeys.Index(Circle), RedisKeys.Failed(Circle), RedisKeys.FailedIndexed(Circle)];

        public override RedisValue[] Argv() => [RedisKeys.TaskPrefix(Circle), Most];
    }

    /// <summary>Whether the walk over the circle's index has reached its end, and how many failures this run added.</summary>
    public sealed record Reply(bool Done, int Added);

    public static async Task<Reply> RunAsync(IDatabaseAsync db, Args args)
    {
        var reply = await Lua.EvaluateArrayAsync(db, args);
        return new Reply((int)reply[0] == 1, (int)reply[1]);
    }
}
