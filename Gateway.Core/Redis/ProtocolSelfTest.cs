using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Gateway.Core.Redis.Scripts;
using System.Globalization;
using StackExchange.Redis;

namespace Gateway.Core.Redis;

/// <summary>
/// Runs every script of the protocol once against the backend in use, on scratch keys, before
/// the process serves anything: a server whose Lua differs (an old Redis, a Garnet with the
/// wrong options) stops the process at start with the script named, instead of failing tasks
/// later. When Redis is away at start the process starts anyway (it answers 503) and the test
/// runs as soon as Redis answers; a failure then stops the process.
/// </summary>
public sealed partial class ProtocolSelfTest(
    IConnectionMultiplexer redis,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<ProtocolSelfTest> log) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(redis.GetDatabase(), time);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            LogDeferred(log);
            _ = Task.Run(() => RunWhenReachableAsync(_stopping.Token), CancellationToken.None);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => _stopping.CancelAsync();

    private async Task RunWhenReachableAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
                await RunAsync(redis.GetDatabase(), time);
                return;
            }
            catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
            {
                // Still away; try again.
            }
            catch (SelfTestFailedException ex)
            {
                LogFailed(log, ex);
                lifetime.StopApplication();
                Environment.ExitCode = 1;
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Every transition on a scratch circle, checking what each script returns and leaves:
    /// submit (and its idempotency), claim (and a repeat of it after a lost answer), renew, requeue,
    /// an expired lease reaped as lost (and indexed as a failure),
    /// cancel of a pending and of a running task, the fenced complete; a paused circle that neither a
    /// claim nor a submit starts a task of, and a submit its own process takes at once; then a
    /// scheduled submit, its promotion, a claim that takes the higher priority first, a failure
    /// that schedules a retry and claims the next task in the same script (and a repeat of it after a
    /// lost answer), a failure that ends the task (and is indexed), indexing the failures a store of an earlier version holds, the cancel of a
    /// scheduled task, a drain of the queued and then the scheduled tasks; registering a script, putting a schedule (fenced by its last due time) and
    /// firing it (compare-and-set, overlap); a re-run submitted once, then refused; writing and
    /// removing a domain entity within the circle's byte limit.
    /// </summary>
    /// <returns>The scratch circle it used (its keys are gone again).</returns>
    internal static async Task<string> RunAsync(IDatabase db, TimeProvider time)
    {
        var circle = $"selftest-{Guid.NewGuid():N}";
        var prefix = RedisKeys.TaskPrefix(circle);
        var queue = RedisKeys.Queue(circle);
        var processing = RedisKeys.Processing(circle);
        var index = RedisKeys.Index(circle);
        var failed = RedisKeys.Failed(circle);
        var idem = RedisKeys.Idempotency(circle, "selftest");
        // Not a real events channel: nobody listening for tasks hears the test.
        var channel = $"{RedisKeys.Prefix}selftest:{{{circle}}}";
        var scheduled = RedisKeys.Scheduled(circle);
        var lanes = RedisKeys.Lanes(circle).ToArray();
        var paused = RedisKeys.PausedFlag(circle);
        string[] ids = [NewId(), NewId(), NewId(), NewId(), NewId(), NewId(), NewId(), NewId(), NewId(), NewId(), NewId(), NewId(), NewId()];
        const long retention = 60_000;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();

        SubmitScript.Item Item(string id, int priority = 0, long dueMs = 0, RetryPolicy? retry = null) => new(new TaskRecord
        {
            Id = id,
            Circle = circle,
            Status = dueMs > 0 ? TaskState.Scheduled : TaskState.Pending,
            TimeoutMs = 1000,
            Priority = priority,
            RunAt = dueMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(dueMs) : null,
            Language = ScriptLanguage.Rhai,
        }, "1", "null", "", retry);
        Task<SubmitScript.Reply> Submit(string id, bool withKey, int most = 2, int direct = 0, SubmitScript.Item? item = null, bool reRunOnce = false) => SubmitScript.RunAsync(db,
            new SubmitScript.Args(circle, now, [item ?? Item(id)], most)
            {
                ReRunOnce = reRunOnce,
                Idempotency = withKey ? new SubmitScript.Idempotent(idem, id + "|fp", retention) : null,
                Direct = direct > 0 ? new SubmitScript.Direct(direct, "selftest", now + 30_000, "selftest") : null,
                Channel = channel,
            });
        Task<IReadOnlyList<ClaimedTask>> Claim(long leaseMs, bool repeat = false) =>
            ClaimScript.RunAsync(db, new ClaimScript.Args(circle, now + (repeat ? 1_500 : 0), leaseMs, "selftest", 1, repeat ? "selftest-again" : "selftest")
            {
                Channel = channel,
                Earlier = repeat ? [new LeaseAttempt(now, "selftest")] : [],
            });
        Task<LeaseState> Renew(string id, string token) => RenewScript.RunAsync(db, new RenewScript.Args(circle, id, token, now + 60_000));
        Task<CancelResult> Cancel(string id) => CancelScript.RunAsync(db, new CancelScript.Args(circle, id, now, retention) { Channel = channel });
        Task<CompleteResult> Complete(string id, string token, string status, bool retryable = false, bool claimNext = false, bool repeat = false) =>
            CompleteScript.RunAsync(db, new CompleteScript.Args(circle, id, token, status, "", "", "", now, "0", retention, $"{id} {status}")
            {
                Channel = channel,
                Retryable = retryable,
                Repeat = repeat,
                ClaimNext = !claimNext ? null
                    : repeat ? new CompleteScript.Next(1, "selftest", 30_000, "selftest-again", now + 1_500) { Earlier = [new LeaseAttempt(now, "selftest-next")] }
                    : new CompleteScript.Next(1, "selftest", 30_000, "selftest-next", now),
            });
        Task<PromoteResult> Promote(long at) => PromoteScript.RunAsync(db, new PromoteScript.Args(circle, at, 10) { Channel = channel });
        async Task<bool> StatusIs(string id, string status) => await db.HashGetAsync(prefix + id, TaskHash.Status) == status;

        try
        {
            await Check("submit", async () =>
                (await Submit(ids[0], withKey: true)).Kind == SubmitScript.Kind.Queued
                && await Submit(ids[1], withKey: true) is { Kind: SubmitScript.Kind.Duplicate } duplicate && duplicate.Earlier == ids[0] + "|fp"
                && (await Submit(ids[2], withKey: false, most: 1)).Kind == SubmitScript.Kind.QuotaExceeded && !await db.KeyExistsAsync(prefix + ids[2])
                && await StatusIs(ids[0], "pending") && await db.ListLengthAsync(queue) == 1 && await db.SortedSetLengthAsync(index) == 1);

            var token = "";
            await Check("claim", async () =>
            {
                var claimed = await Claim(30_000);
                token = claimed.Count == 1 ? claimed[0].LeaseToken : "";
                return token.Length > 0 && claimed[0].Id == ids[0] && claimed[0].Record.Language == ScriptLanguage.Rhai
                    && await StatusIs(ids[0], "processing") && await db.SortedSetLengthAsync(processing) == 1;
            });

            await Check("claim (repeated after a lost answer)", async () =>
            {
                // The task the first attempt leased comes back, leased anew as the repeat leases.
                var again = await Claim(30_000, repeat: true);
                token = again.Count == 1 ? again[0].LeaseToken : "";
                return again is [{ Attempt: 1, LeaseToken: "selftest-again.1" } task] && task.Id == ids[0]
                    && task.Record.StartedAt?.ToUnixTimeMilliseconds() == now + 1_500
                    && await db.HashGetAsync(prefix + ids[0], TaskHash.Lease) == token
                    && await db.SortedSetLengthAsync(processing) == 1 && await db.SortedSetScoreAsync(processing, ids[0]) == now + 1_500 + 30_000;
            });

            await Check("renew", async () =>
                await Renew(ids[0], token) == LeaseState.Held && await Renew(ids[0], "stale") == LeaseState.Lost);

            await Check("requeue", async () =>
                await RequeueScript.RunAsync(db, new RequeueScript.Args(circle, ids[0], token, now, retention) { Channel = channel })
                && await StatusIs(ids[0], "pending") && await db.HashGetAsync(prefix + ids[0], TaskHash.Attempts) == 0);

            await Check("reap", async () =>
            {
                await Claim(-1_000); // a lease that has already run out
                var reaped = await ReapScript.RunAsync(db, new ReapScript.Args(circle, now, 1, retention, "{\"code\":\"lost\"}", 10) { Channel = channel });
                return reaped.Lost == 1 && await StatusIs(ids[0], "failed") && await db.SortedSetLengthAsync(processing) == 0
                    && await db.SortedSetScoreAsync(failed, ids[0]) == now;
            });

            await Check("cancel", async () =>
            {
                await Submit(ids[1], withKey: false);
                var pending = await Cancel(ids[1]);
                var again = await Cancel(ids[1]);
                await Submit(ids[2], withKey: false);
                token = (await Claim(30_000))[0].LeaseToken;
                var running = await Cancel(ids[2]);
                var renewed = await Renew(ids[2], token);
                return pending == CancelResult.Cancelled && again == CancelResult.AlreadyFinished
                    && await StatusIs(ids[1], "cancelled") && await db.ListLengthAsync(queue) == 0
                    && running == CancelResult.Stopping && renewed == LeaseState.CancelRequested;
            });

            await Check("complete", async () =>
            {
                var fenced = await Complete(ids[2], "not-the-token", "completed");
                var written = await Complete(ids[2], token, "cancelled");
                return !fenced.Written && written is { Written: true, RetryAt: null } && await StatusIs(ids[2], "cancelled") && await db.SortedSetLengthAsync(processing) == 0;
            });

            await Check("submit, claim (paused)", async () =>
            {
                await db.StringSetAsync(paused, "1");
                var submitted = await Submit(ids[8], withKey: false, direct: 1);
                var claimed = await Claim(30_000);
                await db.KeyDeleteAsync(paused);
                return submitted.Kind == SubmitScript.Kind.Queued && claimed.Count == 0 && await StatusIs(ids[8], "pending")
                    && await Cancel(ids[8]) == CancelResult.Cancelled && await db.ListLengthAsync(queue) == 0;
            });

            await Check("submit (taken at once)", async () =>
                await Submit(ids[3], withKey: false, direct: 1) is { Kind: SubmitScript.Kind.TakenHere, TakenHere: 1 }
                && await StatusIs(ids[3], "processing")
                && await db.HashGetAsync(prefix + ids[3], TaskHash.Lease) == "selftest.1"
                && await db.SortedSetScoreAsync(processing, ids[3]) == now + 30_000 && await db.ListLengthAsync(queue) == 0);

            var due = now + 60_000;
            await Check("submit (scheduled)", async () =>
                (await Submit(ids[4], withKey: false, item: Item(ids[4], priority: 7, dueMs: due, retry: new RetryPolicy(2, 100, 2)))).Kind == SubmitScript.Kind.Queued
                && await StatusIs(ids[4], "scheduled") && await db.SortedSetScoreAsync(scheduled, ids[4]) == due
                && await db.ListLengthAsync(lanes[7]) == 0 && await db.HashGetAsync(prefix + ids[4], TaskHash.RunAt) == due);

            await Check("promote", async () =>
                await Promote(now) is { Moved: 0 } early && early.NextDue?.ToUnixTimeMilliseconds() == due
                && await Promote(due) is { Moved: 1, NextDue: null, Scheduled: 0 } moved && moved.EarliestMoved?.ToUnixTimeMilliseconds() == due
                && await Promote(due) is { Moved: 0, EarliestMoved: null }
                && await StatusIs(ids[4], "pending") && await db.ListLengthAsync(lanes[7]) == 1
                && !await db.HashExistsAsync(prefix + ids[4], TaskHash.RunAt));

            await Check("claim (priority)", async () =>
            {
                await Submit(ids[5], withKey: false, most: 10);
                var claimed = await Claim(30_000);
                token = claimed.Count == 1 ? claimed[0].LeaseToken : "";
                return claimed is [{ Record.Priority: 7 } first] && first.Id == ids[4] && await db.ListLengthAsync(queue) == 1;
            });

            await Check("complete (retry, claiming the next)", async () =>
                await Complete(ids[4], token, "failed", retryable: true, claimNext: true) is { Written: true } retry
                && retry.RetryAt?.ToUnixTimeMilliseconds() == now + 100
                && await StatusIs(ids[4], "scheduled") && await db.SortedSetScoreAsync(scheduled, ids[4]) == now + 100
                && await db.HashGetAsync(prefix + ids[4], TaskHash.Retried) == 1
                && retry.TakenHere is [{ Attempt: 1, LeaseToken: "selftest-next.1" } next] && next.Id == ids[5]
                && await StatusIs(ids[5], "processing") && await db.SortedSetScoreAsync(processing, ids[5]) == now + 30_000
                && await db.ListLengthAsync(queue) == 0 && await db.SortedSetLengthAsync(processing) == 2);

            await Check("complete (repeated after a lost answer)", async () =>
                !(await Complete(ids[4], token, "failed", retryable: true)).Written
                && await Complete(ids[4], token, "failed", retryable: true, claimNext: true, repeat: true) is { Written: true } again
                && again.RetryAt?.ToUnixTimeMilliseconds() == now + 100
                && again.TakenHere is [{ Attempt: 1, LeaseToken: "selftest-again.1" } next] && next.Id == ids[5]
                && await db.HashGetAsync(prefix + ids[4], TaskHash.Retried) == 1 && await db.SortedSetLengthAsync(processing) == 2);

            await Check("complete (failed)", async () =>
                await Complete(ids[5], "selftest-again.1", "failed") is { Written: true, RetryAt: null }
                && await Complete(ids[5], "selftest-again.1", "failed", repeat: true) is { Written: true, RetryAt: null }
                && await StatusIs(ids[5], "failed") && await db.SortedSetScoreAsync(failed, ids[5]) == now
                && await db.SortedSetLengthAsync(failed) == 2);

            await Check("index-failures", async () =>
            {
                // As a store of an earlier version leaves it: failures, but no index of them. Runs
                // of two entries, while the seven entries of the index share one created time.
                await db.KeyDeleteAsync(failed);
                var runs = new List<IndexFailuresScript.Reply>();
                do runs.Add(await IndexFailuresScript.RunAsync(db, new IndexFailuresScript.Args(circle, 2)));
                while (!runs[^1].Done && runs.Count < 10);
                return runs.Count == 4 && runs.Sum(r => r.Added) == 2 && await db.SortedSetScoreAsync(failed, ids[0]) == now
                    && await db.SortedSetScoreAsync(failed, ids[5]) == now
                    && await IndexFailuresScript.RunAsync(db, new IndexFailuresScript.Args(circle, 2)) == new IndexFailuresScript.Reply(true, 0);
            });

            await Check("cancel (scheduled)", async () =>
                await Cancel(ids[4]) == CancelResult.Cancelled && await StatusIs(ids[4], "cancelled")
                && await db.SortedSetLengthAsync(scheduled) == 0);

            await Check("drain", async () =>
            {
                Task<DrainScript.Reply> Drain(bool withScheduled) =>
                    DrainScript.RunAsync(db, new DrainScript.Args(circle, now, retention, withScheduled, 10) { Channel = channel });
                await Submit(ids[9], withKey: false, item: Item(ids[9], priority: 3));
                await Submit(ids[10], withKey: false, item: Item(ids[10], dueMs: now + 60_000));
                var queued = await Drain(withScheduled: false);
                var both = await Drain(withScheduled: true);
                return queued == new DrainScript.Reply(1, 1, 0) && both == new DrainScript.Reply(1, 1, 0)
                    && await StatusIs(ids[9], "cancelled") && await StatusIs(ids[10], "cancelled")
                    && await db.ListLengthAsync(lanes[3]) == 0 && await db.SortedSetLengthAsync(scheduled) == 0;
            });

            await Check("register", async () =>
            {
                Task<RegisterScript.Reply> Register(string text) =>
                    RegisterScript.RunAsync(db, new RegisterScript.Args(circle, "selftest", ScriptRegistry.Sha256(text), "javascript", "", now, text));
                var first = await Register("1");
                var again = await Register("1");
                var changed = await Register("2");
                return first is { Kind: RegisterScript.Kind.NewName, Version: 1 } && again is { Kind: RegisterScript.Kind.SameText, Version: 1 }
                    && changed is { Kind: RegisterScript.Kind.NewVersion, Version: 2 }
                    && await db.HashGetAsync(RedisKeys.Scripts(circle), "selftest") == 2
                    && await db.HashGetAsync(RedisKeys.Script(circle, "selftest"), "1:script") == "1";
            });

            var schedule = RedisKeys.Schedule(circle, "selftest");
            var definition = new Recurring.ScheduleDefinition("* * * * *", "UTC", "1", null, null, "javascript", "null", 1000,
                Recurring.ScheduleOverlap.Skip, true);
            await Check("schedule", async () =>
            {
                Task<ScheduleScript.Kind> Put(string lastDue) => ScheduleScript.RunAsync(db,
                    new ScheduleScript.Args(circle, "selftest", lastDue, (now + 1000).ToString(CultureInfo.InvariantCulture), now, definition));
                var created = await Put("");
                var raced = await Put("1");
                var replaced = await Put("");
                return created == ScheduleScript.Kind.Created && raced == ScheduleScript.Kind.Raced && replaced == ScheduleScript.Kind.Replaced
                    && await db.SortedSetScoreAsync(RedisKeys.Schedules(circle), "selftest") == now + 1000
                    && await db.HashGetAsync(schedule, ScheduleHash.Rev) == 2 && await db.HashGetAsync(schedule, ScheduleHash.Script) == "1";
            });

            await Check("fire", async () =>
            {
                Task<FireScript.Reply> Fire(long next, long due, string id) => FireScript.RunAsync(db, new FireScript.Args(
                    circle, "selftest", next.ToString(CultureInfo.InvariantCulture), "2", due.ToString(CultureInfo.InvariantCulture),
                    (next + 1000).ToString(CultureInfo.InvariantCulture), now, 10, id, "", null) { Channel = channel });
                var stale = await Fire(now, now, ids[6]);
                var fired = await Fire(now + 1000, now + 1000, ids[6]);
                var again = await Fire(now + 1000, now + 1000, ids[7]);
                var overlapping = await Fire(now + 2000, now + 2000, ids[7]);
                return stale.Outcome == Recurring.FiringOutcome.Moved
                    && fired.Outcome == Recurring.FiringOutcome.Fired && fired.TaskId == ids[6]
                    && again.Outcome == Recurring.FiringOutcome.Moved
                    && overlapping.Outcome == Recurring.FiringOutcome.Overlapping && overlapping.TaskId == ids[6]
                    && !await db.KeyExistsAsync(prefix + ids[7])
                    && await StatusIs(ids[6], "pending") && await db.HashGetAsync(prefix + ids[6], TaskHash.ScheduleName) == "selftest"
                    && await db.HashGetAsync(prefix + ids[6], TaskHash.Caller) == "schedule:selftest"
                    && await db.ListLengthAsync(queue) == 1
                    && await db.SortedSetScoreAsync(RedisKeys.Schedules(circle), "selftest") == now + 3000
                    && await db.HashGetAsync(schedule, ScheduleHash.LastTask) == ids[6];
            });

            await Check("submit (a re-run, once)", async () =>
            {
                SubmitScript.Item ReRun(string id) => Item(id) with { Record = Item(id).Record with { RetryOf = ids[0] } };
                var first = await Submit(ids[11], withKey: false, most: 10, item: ReRun(ids[11]), reRunOnce: true);
                var second = await Submit(ids[12], withKey: false, most: 10, item: ReRun(ids[12]), reRunOnce: true);
                return first.Kind == SubmitScript.Kind.Queued && await db.HashGetAsync(prefix + ids[0], TaskHash.RetriedBy) == ids[11]
                    && second is { Kind: SubmitScript.Kind.ReRunAlready, ReRunAlready: [0] } && !await db.KeyExistsAsync(prefix + ids[12]);
            });

            await Check("model-write, model-delete", async () =>
            {
                Task<ModelWrite> Write(long id, string read, string json) =>
                    ModelWriteScript.RunAsync(db, new ModelWriteScript.Args(circle, "selftest", id, read, json, MaxBytes: 10));
                var bytes = RedisKeys.ModelBytes(circle);
                return await Write(1, "", "123456") == ModelWrite.Stored && await Write(1, "", "123456") == ModelWrite.Stored
                    && await Write(2, "", "12345") == ModelWrite.OverLimit && await Write(1, "x", "1") == ModelWrite.Changed
                    && await Write(1, "123456", "12") == ModelWrite.Stored && await Write(1, "123456", "12") == ModelWrite.Changed
                    && await db.StringGetAsync(bytes) == 2
                    && await ModelDeleteScript.RunAsync(db, new ModelDeleteScript.Args(circle, "selftest", 1))
                    && !await ModelDeleteScript.RunAsync(db, new ModelDeleteScript.Args(circle, "selftest", 1))
                    && !await db.KeyExistsAsync(bytes) && !await db.KeyExistsAsync(RedisKeys.Models(circle, "selftest"));
            });
        }
        finally
        {
            await db.KeyDeleteAsync([processing, index, failed, RedisKeys.FailedIndexed(circle), idem, scheduled, paused, .. lanes, RedisKeys.Scripts(circle), RedisKeys.Script(circle, "selftest"),
                RedisKeys.Schedules(circle), RedisKeys.Schedule(circle, "selftest"), RedisKeys.Models(circle, "selftest"), RedisKeys.ModelBytes(circle),
                .. ids.Select(id => (RedisKey)(prefix + id))]);
        }
        return circle;
    }

    private static string NewId() => Guid.CreateVersion7().ToString("N");

    private static async Task Check(string script, Func<Task<bool>> run)
    {
        bool passed;
        try
        {
            passed = await run();
        }
        catch (RedisServerException ex)
        {
            throw new SelfTestFailedException(script, ex.Message, ex);
        }
        if (!passed)
            throw new SelfTestFailedException(script, "it ran, but the keys it left are not what the protocol expects", null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is not reachable at start; the protocol self-test will run when it is")]
    private static partial void LogDeferred(ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The Redis protocol self-test failed; stopping")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

/// <summary>A script of the protocol does not work on this backend.</summary>
public sealed class SelfTestFailedException(string script, string error, Exception? inner)
    : Exception($"The Redis backend failed the protocol self-test: script '{script}': {error}", inner)
{
    public string Script { get; } = script;
}
