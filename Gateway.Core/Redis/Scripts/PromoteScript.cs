using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>promote.lua: make a circle's due scheduled tasks pending, each once however many promoters run.</summary>
internal static class PromoteScript
{
    private static readonly LuaScript Lua = LuaScript.Load("promote");

    public sealed record Args(string Circle, long NowMs, int Most) : ScriptArgs(Circle)
    {
        public override RedisKey[] Keys() => [RedisKeys.Scheduled(Circle), .. RedisKeys.Lanes(Circle)];

        public override RedisValue[] Argv() => [RedisKeys.TaskPrefix(Circle), Channel, NowMs, Most];
    }

    public static async Task<PromoteResult> RunAsync(IDatabaseAsync db, Args args)
    {
        var reply = await Lua.EvaluateArrayAsync(db, args);
        var next = (long)reply[1];
        var earliest = (long)reply[3];
        return new PromoteResult((int)reply[0], next < 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(next), (long)reply[2])
        {
            EarliestMoved = earliest < 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(earliest),
        };
    }
}
