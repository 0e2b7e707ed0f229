using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>
/// complete.lua: write a run's outcome, fenced by the lease token, or schedule the retry its
/// policy asks for; and, when asked, claim the circle's next pending tasks for the freed slots.
/// </summary>
internal static class CompleteScript
{
    private static readonly LuaScript Lua = LuaScript.Load("complete", "claiming");

    /// <summary>The claim that rides on the completion: how many tasks, for whom, and their lease from <paramref name="NowMs"/>.</summary>
    public sealed record Next(int Slots, string WorkerId, long LeaseMs, string LeaseStem, long NowMs)
    {
        /// <summary>The attempts of this completion sent before this one that claimed (<see cref="CallAttempts"/>).</summary>
        public IReadOnlyList<LeaseAttempt> Earlier { get; init; } = [];
    }

    public sealed record Args(
        string Circle, string Id, string LeaseToken, string Status, string ResultJson, string ErrorJson, string Output,
        long FinishedMs, string DurationMs, long RetentionMs, RedisValue Message) : ScriptArgs(Circle)
    {
        /// <summary>Whether the run's error is one a retry policy applies to (<see cref="RetryPolicy.Retries"/>).</summary>
        public bool Retryable { get; init; }

        /// <summary>Claim the circle's next pending tasks too; null: only complete.</summary>
        public Next? ClaimNext { get; init; }

        /// <summary>This call repeats one whose answer was lost: an outcome that attempt wrote is answered, not fenced.</summary>
        public bool Repeat { get; init; }

        public override RedisKey[] Keys() => ClaimNext is null
            ? [RedisKeys.Task(Circle, Id), RedisKeys.Processing(Circle), RedisKeys.Scheduled(Circle), RedisKeys.Failed(Circle)]
            : [RedisKeys.Task(Circle, Id), RedisKeys.Processing(Circle), RedisKeys.Scheduled(Circle), RedisKeys.Failed(Circle), .. RedisKeys.Claimable(Circle)];

        public override RedisValue[] Argv() => ClaimNext is { } next
            ? [Id, LeaseToken, Status, ResultJson, ErrorJson, Output, FinishedMs, DurationMs, RetentionMs, Channel, Message,
               Retryable ? 1 : 0, (long)RetryPolicy.MaxDelay.TotalMilliseconds, Repeat ? 1 : 0,
               next.Slots, RedisKeys.TaskPrefix(Circle), next.LeaseMs, next.WorkerId, next.LeaseStem, next.NowMs,
               .. ClaimScript.EarlierArgv(next.Earlier)]
            : [Id, LeaseToken, Status, ResultJson, ErrorJson, Output, FinishedMs, DurationMs, RetentionMs, Channel, Message,
               Retryable ? 1 : 0, (long)RetryPolicy.MaxDelay.TotalMilliseconds, Repeat ? 1 : 0, 0];
    }

    public static async Task<CompleteResult> RunAsync(IDatabaseAsync db, Args args)
    {
        var reply = await Lua.EvaluateArrayAsync(db, args);
        var result = (int)reply[0] switch
        {
            0 => CompleteResult.Fenced,
            1 => CompleteResult.Finished,
            2 => new CompleteResult(true, DateTimeOffset.FromUnixTimeMilliseconds((long)reply[2])),
            var other => throw Lua.UnknownReply(other),
        };
        if (reply.Length < 2 || args.ClaimNext is not { } next)
            return result;
        var claimed = (RedisResult[])reply[1]!;
        return claimed.Length == 0
            ? result
            : result with { TakenHere = ClaimScript.ReadClaimed(args.Circle, claimed, next.NowMs, next.WorkerId) };
    }
}
