using Gateway.Core.Queueing;
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
        (int)await Lua.EvaluateAsync(db, args) switch
        {
            -1 => LeaseState.Lost,
            1 => LeaseState.CancelRequested,
            _ => LeaseState.Held,
        };
}
