using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>reap.lua: take back the tasks of a circle whose lease ran out, and trim its indexes.</summary>
internal static class ReapScript
{
    private static readonly LuaScript Lua = LuaScript.Load("reap");

    public sealed record Args(string Circle, long NowMs, int MaxAttempts, long RetentionMs, string LostErrorJson, int Most) : ScriptArgs(Circle)
    {
        /// <summary>Also drop the indexes' entries past retention; an idle circle need not pay for that at every reap.</summary>
        public bool TrimIndex { get; init; } = true;

        public override RedisKey[] Keys() => [RedisKeys.Processing(Circle), RedisKeys.Index(Circle), RedisKeys.Failed(Circle), .. RedisKeys.Lanes(Circle)];

        public override RedisValue[] Argv() =>
            [RedisKeys.TaskPrefix(Circle), Channel, NowMs, MaxAttempts, RetentionMs, LostErrorJson, Most, TrimIndex ? 1 : 0];
    }

    /// <summary>How many went back to their lane, how many failed as lost, how many tasks wait now in all lanes, and how many a cancel ended.</summary>
    public sealed record Reply(int Requeued, int Lost, long Waiting, int Cancelled);

    public static async Task<Reply> RunAsync(IDatabaseAsync db, Args args)
    {
        var result = await Lua.EvaluateAsync(db, args);
        return new Reply((int)result[0], (int)result[1], (long)result[2], (int)result[3]);
    }
}
