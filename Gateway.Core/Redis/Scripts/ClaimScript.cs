using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>claim.lua (claim_tasks in claiming.lua): take up to N pending tasks of a circle for a worker, leased, highest priority first.</summary>
internal static class ClaimScript
{
    private static readonly LuaScript Lua = LuaScript.Load("claim", "claiming");

    public sealed record Args(string Circle, long NowMs, long LeaseMs, string WorkerId, int Max, string LeaseStem) : ScriptArgs(Circle)
    {
        /// <summary>The attempts of this claim sent before this one, whose answers were lost (<see cref="CallAttempts"/>).</summary>
        public IReadOnlyList<LeaseAttempt> Earlier { get; init; } = [];

        public override RedisKey[] Keys() => [RedisKeys.Processing(Circle), .. RedisKeys.Claimable(Circle)];

        public override RedisValue[] Argv() =>
            [RedisKeys.TaskPrefix(Circle), Channel, NowMs, LeaseMs, WorkerId, Max, LeaseStem, .. EarlierArgv(Earlier)];
    }

    /// <summary>The attempts sent before as the scripts read them (earlier_attempts in claiming.lua): their count, then each one's time and stem.</summary>
    public static RedisValue[] EarlierArgv(IReadOnlyList<LeaseAttempt> earlier)
    {
        var argv = new RedisValue[1 + 2 * earlier.Count];
        argv[0] = earlier.Count;
        for (var i = 0; i < earlier.Count; i++)
            (argv[1 + 2 * i], argv[2 + 2 * i]) = (earlier[i].SentMs, earlier[i].Stem);
        return argv;
    }

    /// <summary>claim_tasks' rows as claimed tasks, each leased (anew, when an earlier attempt had leased it) at <paramref name="nowMs"/>.</summary>
    public static ClaimedTask[] ReadClaimed(string circle, RedisResult[] rows, long nowMs, string workerId)
    {
        var claimed = new ClaimedTask[rows.Length];
        for (var i = 0; i < claimed.Length; i++)
            claimed[i] = TaskHash.ToClaimed(circle, (RedisResult[])rows[i]!, nowMs, workerId);
        return claimed;
    }

    public static async Task<IReadOnlyList<ClaimedTask>> RunAsync(IDatabaseAsync db, Args args)
    {
        var result = await Lua.EvaluateAsync(db, args);
        if (result.IsNull || result.Length == 0)
            return [];
        return ReadClaimed(args.Circle, (RedisResult[])result!, args.NowMs, args.WorkerId);
    }
}
