using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>requeue.lua: give a claimed task back unrun, attempt uncounted, fenced by the lease token.</summary>
internal static class RequeueScript
{
    private static readonly LuaScript Lua = LuaScript.Load("requeue");

    public sealed record Args(string Circle, string Id, string LeaseToken, long NowMs, long RetentionMs) : ScriptArgs(Circle)
    {
        public override RedisKey[] Keys() => [RedisKeys.Task(Circle, Id), RedisKeys.Processing(Circle), .. RedisKeys.Lanes(Circle)];

        public override RedisValue[] Argv() => [Id, LeaseToken, Channel, NowMs, RetentionMs];
    }

    /// <summary>True when given back (or cancelled, when a cancel was asked for); false when fenced off.</summary>
    public static async Task<bool> RunAsync(IDatabaseAsync db, Args args) =>
        (int)await Lua.EvaluateAsync(db, args) == 1;
}
