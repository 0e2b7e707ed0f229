using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>claim.lua (claim_tasks in claiming.lua): take up to N pending tasks of a circle for a worker, leased, highest priority first.</summary>
internal static class ClaimScript
{
    private static readonly LuaScript Lua = LuaScript.Load("claim", "claiming");

    public sealed record Args(string Circle, long NowMs, long LeaseMs, string WorkerId, int Max, string LeaseStem) : ScriptArgs(Circle)
    {
        public override RedisKey[] Keys() => [RedisKeys.Processing(Circle), .. RedisKeys.Claimable(Circle)];

        public override RedisValue[] Argv() =>
            [RedisKeys.TaskPrefix(Circle), Channel, NowMs, LeaseMs, WorkerId, Max, LeaseStem];
    }

    public static async Task<IReadOnlyList<ClaimedTask>> RunAsync(IDatabaseAsync db, Args args)
    {
        var result = await Lua.EvaluateAsync(db, args);
        if (result.IsNull || result.Length == 0)
            return [];
        var claimed = new ClaimedTask[result.Length];
        for (var i = 0; i < claimed.Length; i++)
            claimed[i] = TaskHash.ToClaimed(args.Circle, (RedisResult[])result[i]!, args.NowMs, args.WorkerId);
        return claimed;
    }
}
