using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>complete.lua: write a run's outcome, fenced by the lease token, or schedule the retry its policy asks for.</summary>
internal static class CompleteScript
{
    private static readonly LuaScript Lua = LuaScript.Load("complete");

    public sealed record Args(
        string Circle, string Id, string LeaseToken, string Status, string ResultJson, string ErrorJson, string Output,
        long FinishedMs, string DurationMs, long RetentionMs, string Message) : ScriptArgs(Circle)
    {
        /// <summary>Whether the run's error is one a retry policy applies to (<see cref="RetryPolicy.Retries"/>).</summary>
        public bool Retryable { get; init; }

        public override RedisKey[] Keys() => [RedisKeys.Task(Circle, Id), RedisKeys.Processing(Circle), RedisKeys.Scheduled(Circle)];

        public override RedisValue[] Argv() =>
            [Id, LeaseToken, Status, ResultJson, ErrorJson, Output, FinishedMs, DurationMs, RetentionMs, Channel, Message,
             Retryable ? 1 : 0, (long)RetryPolicy.MaxDelay.TotalMilliseconds];
    }

    public static async Task<CompleteResult> RunAsync(IDatabaseAsync db, Args args)
    {
        var reply = await Lua.EvaluateArrayAsync(db, args);
        return (int)reply[0] switch
        {
            0 => CompleteResult.Fenced,
            1 => CompleteResult.Finished,
            2 => new CompleteResult(true, DateTimeOffset.FromUnixTimeMilliseconds((long)reply[1])),
            var other => throw Lua.UnknownReply(other),
        };
    }
}
