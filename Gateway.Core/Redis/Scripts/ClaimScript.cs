using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>claim.lua (claim_tasks in claiming.lua): take up to N pending tasks of a circle for a worker, leased, highest priority first.</summary>
internal static class ClaimScript
{
    private static readonly LuaScript Lua = LuaScript.Load("claim", "claiming");

    public sealed record Args(string Circle, long NowMs, long LeaseMs, string WorkerId, int Max, string LeaseStem) : ScriptArgs(Circle)
    {
        public override RedisKey[] Keys() => [RedisKeys.Processing(Circle), .. RedisKeys.Lanes(Circle)];

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
            claimed[i] = Read((RedisResult[])result[i]!, args.Circle, args.NowMs, args.WorkerId);
        return claimed;
    }

    /// <summary>One task as claim_tasks (claiming.lua) returns it, claimed at <paramref name="nowMs"/>.</summary>
    public static ClaimedTask Read(RedisResult[] f, string circle, long nowMs, string workerId) =>
        // { id, script, args, timeout, attempt, caller, created, lease token, traceparent, priority, retryOf, language,
        //   script name, script version, schedule name }
        new(
            Id: (string?)f[0] ?? "",
            Circle: circle,
            Script: (string?)f[1] ?? "",
            ArgsJson: (string?)f[2] ?? "null",
            TimeoutMs: (int)f[3],
            Attempt: (int)f[4],
            Caller: TaskHash.Text(f[5]),
            LeaseToken: (string?)f[7] ?? "",
            CreatedAt: DateTimeOffset.FromUnixTimeMilliseconds((long)f[6]))
        {
            TraceParent = TaskHash.Text(f[8]),
            StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(nowMs),
            WorkerId = workerId,
            Priority = (int)f[9],
            RetryOf = TaskHash.Text(f[10]),
            Language = ScriptLanguages.Parse(TaskHash.Text(f[11])),
            ScriptName = TaskHash.Text(f[12]),
            ScriptVersion = TaskHash.Number(f[13]),
            ScheduleName = TaskHash.Text(f[14]),
        };
}
