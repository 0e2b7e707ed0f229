using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>complete.lua: write a run's outcome, fenced by the lease token.</summary>
internal static class CompleteScript
{
    private static readonly LuaScript Lua = LuaScript.Load("complete");

    public sealed record Args(
        string Circle, string Id, string LeaseToken, string Status, string ResultJson, string ErrorJson, string Output,
        long FinishedMs, string DurationMs, long RetentionMs, string Message) : ScriptArgs(Circle)
    {
        public override RedisKey[] Keys() => [RedisKeys.Task(Circle, Id), RedisKeys.Processing(Circle)];

        public override RedisValue[] Argv() =>
            [Id, LeaseToken, Status, ResultJson, ErrorJson, Output, FinishedMs, DurationMs, RetentionMs, Channel, Message];
    }

    /// <summary>True when written; false when the lease was no longer this worker's.</summary>
    public static async Task<bool> RunAsync(IDatabaseAsync db, Args args) =>
        (int)await Lua.EvaluateAsync(db, args) == 1;
}
