using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>renew.lua: extend a running task's lease, fenced by its token.</summary>
internal static class RenewScript
{
    private static readonly LuaScript Lua = LuaScript.Load("renew");

    public sealed record Args(string Circle, string Id, string LeaseToken, long DeadlineMs) : ScriptArgs(Circle)
    {
        public override RedisKey[] Keys() => [RedisKeys.Task(Circle, Id), RedisKeys.Processing(Circle)];

        public override RedisValue[] Argv() => [Id, LeaseToken, DeadlineMs];
    }

    public static async Task<LeaseState> RunAsync(IDatabaseAsync db, Args args) =>
        Lua.Code<LeaseState>(await Lua.EvaluateAsync(db, args), "value");
}
