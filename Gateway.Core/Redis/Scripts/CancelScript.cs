using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>cancel.lua: cancel a scheduled or pending task at once, or ask a running one's worker to stop it.</summary>
internal static class CancelScript
{
    private static readonly LuaScript Lua = LuaScript.Load("cancel");

    public sealed record Args(string Circle, string Id, long NowMs, long RetentionMs) : ScriptArgs(Circle)
    {
        public override RedisKey[] Keys() => [RedisKeys.Task(Circle, Id), RedisKeys.Scheduled(Circle), .. RedisKeys.Lanes(Circle)];

        public override RedisValue[] Argv() => [Id, Channel, NowMs, RetentionMs];
    }

    public static async Task<CancelResult> RunAsync(IDatabaseAsync db, Args args) =>
        (string?)await Lua.EvaluateAsync(db, args) switch
        {
            "cancelled" => CancelResult.Cancelled,
            "cancelling" => CancelResult.Stopping,
            "missing" => CancelResult.Missing,
            "finished" => CancelResult.AlreadyFinished,
            var other => throw new InvalidOperationException($"cancel.lua answered '{other}'."),
        };
}
