using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>submit.lua: queue or schedule tasks, or hand the first ones to the submitting process's free worker slots.</summary>
internal static class SubmitScript
{
    private static readonly LuaScript Lua = LuaScript.Load("submit", "lanes");

    /// <summary>
    /// One task to store: its record as a read right after the submit returns it (pending, or
    /// scheduled with its due time), what it runs, and its retry policy.
    /// </summary>
    public sealed record Item(TaskRecord Record, string Script, string ArgsJson, string TraceParent, RetryPolicy? Retry)
    {
        /// <summary>0 for "now", else when the scheduled task becomes pending.</summary>
        public long DueMs => Record.RunAt?.ToUnixTimeMilliseconds() ?? 0;
    }

    /// <summary>Slots of the submitting process's worker that the first tasks may take, leased as by a claim.</summary>
    public sealed record Direct(int Slots, string WorkerId, long LeaseDeadlineMs, string LeaseStem);

    /// <summary>The record an idempotency key leaves, and how long it holds.</summary>
    public sealed record Idempotent(RedisKey Key, string Record, long LifetimeMs);

    public sealed record Args(string Circle, long CreatedMs, IReadOnlyList<Item> Tasks, long MaxQueued) : ScriptArgs(Circle)
    {
        public Idempotent? Idempotency { get; init; }

        public Direct? Direct { get; init; }

        /// <summary>Store nothing if a task the new ones re-run (their <see cref="TaskRecord.RetryOf"/>) has been re-run already.</summary>
        public bool ReRunOnce { get; init; }

        public override RedisKey[] Keys() => Idempotency is { } idem
            ? [RedisKeys.Index(Circle), RedisKeys.Processing(Circle), .. RedisKeys.Waiting(Circle), RedisKeys.PausedFlag(Circle), idem.Key]
            : [RedisKeys.Index(Circle), RedisKeys.Processing(Circle), .. RedisKeys.Waiting(Circle), RedisKeys.PausedFlag(Circle)];

        public override RedisValue[] Argv()
        {
            const int header = 12, perTask = 15;
            var argv = new RedisValue[header + perTask * Tasks.Count];
            argv[0] = RedisKeys.TaskPrefix(Circle);
            argv[1] = Channel;
            argv[2] = CreatedMs;
            argv[3] = Circle;
            argv[4] = Idempotency?.Record ?? "";
            argv[5] = Idempotency?.LifetimeMs ?? 0;
            argv[6] = MaxQueued;
            argv[7] = Direct?.Slots ?? 0;
            argv[8] = Direct?.WorkerId ?? "";
            argv[9] = Direct?.LeaseDeadlineMs ?? 0;
            argv[10] = Direct?.LeaseStem ?? "";
            argv[11] = ReRunOnce ? 1 : 0;
            var at = header;
            foreach (var item in Tasks)
            {
                argv[at++] = item.Record.Id;
                argv[at++] = item.Script;
                argv[at++] = item.ArgsJson;
                argv[at++] = item.Record.TimeoutMs;
                argv[at++] = item.Record.Caller ?? "";
                argv[at++] = item.TraceParent;
                argv[at++] = item.Record.Priority;
                argv[at++] = item.DueMs;
                argv[at++] = item.Record.RetryOf ?? "";
                argv[at++] = item.Retry?.Attempts ?? 0;
                argv[at++] = item.Retry?.BackoffMs ?? 0;
                argv[at++] = item.Retry is { } retry ? TaskHash.FactorText(retry.Factor) : "1";
                argv[at++] = item.Record.Language.ToWire();
                argv[at++] = item.Record.ScriptName ?? "";
                argv[at++] = item.Record.ScriptVersion ?? 0;
            }
            return argv;
        }
    }

    public enum Kind
    {
        Queued = 0,
        TakenHere = 1,
        QuotaExceeded = 2,
        Duplicate = 3,
        ReRunAlready = 4,
    }

    /// <summary>
    /// What the script did: the first <see cref="TakenHere"/> tasks due now (in request order) went
    /// to the direct slots; <see cref="Earlier"/> is a duplicate's record.
    /// </summary>
    /// <param name="ReRunAlready">For <see cref="Kind.ReRunAlready"/>: the places (0-based) of the tasks that re-run a task re-run already.</param>
    public sealed record Reply(Kind Kind, int TakenHere = 0, string? Earlier = null, IReadOnlyList<int>? ReRunAlready = null);

    public static async Task<Reply> RunAsync(IDatabaseAsync db, Args args)
    {
        var reply = await Lua.EvaluateArrayAsync(db, args);
        return (Kind)(int)reply[0] switch
        {
            Kind.Queued => new Reply(Kind.Queued),
            Kind.TakenHere => new Reply(Kind.TakenHere, TakenHere: (int)reply[1]),
            Kind.QuotaExceeded => new Reply(Kind.QuotaExceeded),
            Kind.Duplicate => new Reply(Kind.Duplicate, Earlier: (string?)reply[1]),
            Kind.ReRunAlready => new Reply(Kind.ReRunAlready, ReRunAlready: [.. ((RedisResult[])reply[1]!).Select(n => (int)n)]),
            var other => throw Lua.UnknownReply(other),
        };
    }
}
