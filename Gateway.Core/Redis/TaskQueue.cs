using System.Collections.Concurrent;
using System.Diagnostics;
using Gateway.Core.Configuration;
using Gateway.Core.Redis.Scripts;
using Gateway.Core.Telemetry;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Core.Redis;

/// <summary>
/// Every state change of a task, each one script of <c>Redis/Scripts</c>: submit, claim,
/// complete, renew, requeue, reap, cancel, drain, promote. It decides nothing about who runs a task: a caller
/// that has free worker slots passes them in (<see cref="DirectSlots"/>) and starts what they took.
/// </summary>
public sealed class TaskQueue(
    IConnectionMultiplexer redis, TimeProvider time, IOptions<TaskOptions> options, IOptions<LimitsOptions>? limits = null)
{
    /// <summary>A finished task's record rides on its completion message up to this size; a larger one is read from Redis.</summary>
    internal const int MaxRecordInMessage = 16 * 1024;

    private static readonly TimeSpan CircleSetRefresh = TimeSpan.FromMinutes(1);

    /// <summary>When this process last added each circle to the set of known circles.</summary>
    private readonly ConcurrentDictionary<string, long> _circlesAdded = new(StringComparer.Ordinal);

    private IDatabase Db => redis.GetDatabase();

    private long RetentionMs => (long)(options.Value.RetentionHours * 3_600_000);

    /// <summary>Queues (or schedules) the tasks in one round trip and returns them as stored.</summary>
    public async Task<IReadOnlyList<TaskRecord>> SubmitAsync(string circle, IReadOnlyList<NewTask> tasks) =>
        (await SubmitAsync(circle, tasks, idempotency: null)).Tasks;

    /// <summary>
    /// Stores the tasks in one round trip. With an idempotency key already used in this circle,
    /// nothing is stored and the earlier submit's task id and body fingerprint are returned.
    /// With <paramref name="direct"/> slots and an empty queue, the first tasks are claimed for
    /// those slots in the same round trip (<see cref="SubmitResult.TakenHere"/>); the caller starts them.
    /// With <paramref name="reRunOnce"/>, nothing is stored when a task the new ones re-run has been
    /// re-run already (<see cref="SubmitResult.ReRunAlready"/> says which new ones).
    /// With <paramref name="attempts"/>, the direct slots' lease is recorded there, so that when the
    /// answer is lost a claim with the same attempts takes back what the submit took.
    /// </summary>
    public async Task<SubmitResult> SubmitAsync(string circle, IReadOnlyList<NewTask> tasks, Idempotency? idempotency, DirectSlots? direct = null,
        bool reRunOnce = false, CallAttempts? attempts = null)
    {
        CircleName.Ensure(circle);
        using var activity = GatewayMetrics.Source.StartActivity("enqueue", ActivityKind.Producer);
        activity?.SetTag("gateway.circle", circle);
        activity?.SetTag("gateway.task.count", tasks.Count);
        var traceparent = activity?.Id ?? Activity.Current?.Id ?? "";
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var created = DateTimeOffset.FromUnixTimeMilliseconds(now);
        var items = new SubmitScript.Item[tasks.Count];
        var records = new TaskRecord[tasks.Count];
        for (var i = 0; i < tasks.Count; i++)
        {
            var task = tasks[i];
            var id = task.Id ?? TaskIds.New(time);
            if (!TaskIds.IsWellFormed(id))
                throw new ArgumentException($"'{id}' is not a task id.", nameof(tasks));
            if (!TaskPriority.IsValid(task.Priority))
                throw new ArgumentException($"Priority {task.Priority} is not 0 to 9.", nameof(tasks));
            // A due time not after now is "now": the task is queued, not scheduled.
            var due = task.RunAt is { } at && at.ToUnixTimeMilliseconds() > now ? at.ToUnixTimeMilliseconds() : 0;
            var record = new TaskRecord
            {
                Id = id,
                Circle = circle,
                Status = due > 0 ? TaskState.Scheduled : TaskState.Pending,
                CreatedAt = created,
                Caller = task.Caller,
                TimeoutMs = task.TimeoutMs,
                Priority = task.Priority,
                RunAt = due > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(due) : null,
                RetryOf = task.RetryOf,
                Language = task.Language,
                ScriptName = task.ScriptName,
                ScriptVersion = task.ScriptName is null ? null : task.ScriptVersion,
            };
            items[i] = new SubmitScript.Item(record, task.Script, task.ArgsJson, traceparent, task.Retry);
            records[i] = record;
        }
        if (tasks.Count == 1)
            activity?.SetTag("gateway.task.id", records[0].Id);

        var stem = direct is null ? "" : LeaseStem(direct.WorkerId, now);
        if (direct is { Count: > 0 })
            attempts?.Next(now, stem, (long)direct.Lease.TotalMilliseconds);
        var args = new SubmitScript.Args(circle, now, items, limits?.Value.MaxPendingPerCircle ?? int.MaxValue)
        {
            Idempotency = idempotency is null
                ? null
                : new SubmitScript.Idempotent(RedisKeys.Idempotency(circle, idempotency.Key),
                    new IdempotencyRecord(records[0].Id, idempotency.Fingerprint).ToString(), (long)idempotency.Lifetime.TotalMilliseconds),
            Direct = direct is null || direct.Count == 0
                ? null
                : new SubmitScript.Direct(direct.Count, direct.WorkerId, now + (long)direct.Lease.TotalMilliseconds, stem),
            ReRunOnce = reRunOnce,
        };

        var db = Db;
        RememberCircle(db, circle);
        var reply = await SubmitScript.RunAsync(db, args);
        switch (reply.Kind)
        {
            case SubmitScript.Kind.QuotaExceeded:
                return new SubmitResult([]) { QuotaExceeded = true };
            case SubmitScript.Kind.Duplicate:
                return new SubmitResult([]) { Existing = IdempotencyRecord.Parse(reply.Earlier ?? "") };
            case SubmitScript.Kind.ReRunAlready:
                return new SubmitResult([]) { ReRunAlready = reply.ReRunAlready ?? [] };
        }

        // The script gave the direct slots the first tasks due now, in request order.
        var taken = new ClaimedTask[reply.TakenHere];
        for (int i = 0, n = 0; n < taken.Length; i++)
        {
            var item = items[i];
            if (item.DueMs > 0)
                continue;
            records[i] = item.Record with { Status = TaskState.Processing, Attempts = 1, StartedAt = created, WorkerId = direct?.WorkerId };
            taken[n] = new ClaimedTask(records[i], item.Script, item.ArgsJson, $"{stem}.{n + 1}")
            {
                TraceParent = string.IsNullOrEmpty(traceparent) ? null : traceparent,
            };
            n++;
        }
        GatewayMetrics.TaskSubmitted(circle, records.Length);
        var scheduled = items.Count(item => item.DueMs > 0);
        if (scheduled > 0)
            GatewayMetrics.TaskScheduled(circle, scheduled);
        return new SubmitResult(records) { TakenHere = taken };
    }

    /// <summary>
    /// The circle set is a global key in its own slot: written beside the submit script, not inside
    /// it, and once a minute per circle rather than with every task.
    /// </summary>
    private void RememberCircle(IDatabase db, string circle)
    {
        var tick = time.GetTimestamp();
        if (_circlesAdded.TryGetValue(circle, out var added) && time.GetElapsedTime(added, tick) < CircleSetRefresh)
            return;
        _circlesAdded[circle] = tick;
        _ = db.SetAddAsync(RedisKeys.Circles, circle, CommandFlags.FireAndForget);
    }

    private static string LeaseStem(string workerId, long now) => $"{workerId}.{now:x}.{Random.Shared.Next():x}";

    /// <summary>
    /// Claims up to <paramref name="max"/> pending tasks of a circle for a worker. A caller that
    /// sends the claim again when an answer is lost passes the same <paramref name="attempts"/> to
    /// each attempt: then what an earlier one leased is returned first.
    /// </summary>
    public Task<IReadOnlyList<ClaimedTask>> ClaimAsync(string circle, string workerId, int max, TimeSpan lease, CallAttempts? attempts = null)
    {
        CircleName.Ensure(circle);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var stem = LeaseStem(workerId, now);
        return ClaimScript.RunAsync(Db, new ClaimScript.Args(circle, now, (long)lease.TotalMilliseconds, workerId, max, stem)
        {
            Earlier = attempts?.Next(now, stem, (long)lease.TotalMilliseconds) ?? [],
        });
    }

    /// <summary>
    /// Writes the outcome of a run, or — for a failure its retry policy covers — schedules the
    /// next attempt (<see cref="CompleteResult.RetryAt"/>). Not written when the lease was taken over.
    /// With <paramref name="freed"/>, the slots the run frees, the same round trip claims the circle's
    /// next pending tasks for them (<see cref="CompleteResult.TakenHere"/>), leased as a claim leases.
    /// A caller that sends the completion again when an answer is lost passes the same
    /// <paramref name="attempts"/> to each attempt: then an outcome an earlier one wrote is answered
    /// as written, and what its claim leased is returned.
    /// </summary>
    public async Task<CompleteResult> CompleteAsync(ClaimedTask task, TaskOutcome outcome, DirectSlots? freed = null, CallAttempts? attempts = null)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var next = freed is null ? null : new CompleteScript.Next(freed.Count, freed.WorkerId, (long)freed.Lease.TotalMilliseconds, LeaseStem(freed.WorkerId, now), now);
        var earlier = attempts?.Next(now, next?.LeaseStem, next?.LeaseMs ?? 0) ?? [];
        // The run ended when the first attempt was sent, whichever attempt writes it.
        var finished = attempts?.FirstSentMs ?? now;
        // As stored, so that the record sent with the completion and a later read carry the same number.
        outcome = outcome with { DurationMs = TaskHash.StoredDuration(outcome.DurationMs) };
        // The finished task rides on the completion's event message, so that a waiting request
        // answers without reading it back; a large one is not sent (only its status).
        var record = (outcome.ResultJson?.Length ?? 0) + outcome.Output.Length > MaxRecordInMessage
            ? null
            : task.Finished(outcome, DateTimeOffset.FromUnixTimeMilliseconds(finished));
        RedisValue message = record is null ? TaskEventMessage.Format(task.Id, outcome.Status) : TaskEventMessage.Format(record);
        var result = await CompleteScript.RunAsync(Db, new CompleteScript.Args(
            task.Circle, task.Id, task.LeaseToken, outcome.Status.ToWire(), outcome.ResultJson ?? "", TaskHash.ErrorText(outcome.Error),
            outcome.Output, finished, TaskHash.DurationText(outcome.DurationMs), RetentionMs, message)
        {
            Retryable = outcome.Status == TaskState.Failed && RetryPolicy.Retries(outcome.Error?.Code),
            Repeat = attempts is { Sent: > 1 },
            ClaimNext = next is null ? null : next with { Earlier = earlier },
        });
        if (result.RetryAt is not null)
        {
            GatewayMetrics.TaskRetried(task.Circle, outcome.Error?.Code ?? "");
            return result;
        }
        return result.Written ? result with { Record = record } : result;
    }

    /// <summary>
    /// Makes the circle's scheduled tasks that are due by now pending (at most <paramref name="most"/>)
    /// and says when the next one is due. Safe to run from any number of processes at once.
    /// </summary>
    public async Task<PromoteResult> PromoteAsync(string circle, int most = 1000)
    {
        CircleName.Ensure(circle);
        var now = time.GetUtcNow();
        var result = await PromoteScript.RunAsync(Db, new PromoteScript.Args(circle, now.ToUnixTimeMilliseconds(), most));
        GatewayMetrics.ScheduledDepth(circle, result.Scheduled);
        if (result.EarliestMoved is { } earliest)
            GatewayMetrics.Promoted(circle, result.Moved, now - earliest);
        return result;
    }

    /// <summary>
    /// Extends a running task's lease. <see cref="LeaseState.Lost"/> when another worker holds it
    /// now; <see cref="LeaseState.CancelRequested"/> when a cancel was asked for.
    /// </summary>
    public Task<LeaseState> RenewAsync(ClaimedTask task, TimeSpan lease) =>
        RenewScript.RunAsync(Db, new RenewScript.Args(task.Circle, task.Id, task.LeaseToken, time.GetUtcNow().Add(lease).ToUnixTimeMilliseconds()));

    /// <summary>Gives a claimed, unfinished task back to the front of its lane without counting the attempt.</summary>
    public Task<bool> RequeueAsync(ClaimedTask task) =>
        RequeueScript.RunAsync(Db, new RequeueScript.Args(task.Circle, task.Id, task.LeaseToken, time.GetUtcNow().ToUnixTimeMilliseconds(), RetentionMs));

    /// <summary>
    /// Indexes the failures a circle recorded before its index of failures existed (a store
    /// written by an earlier version), at most <paramref name="runs"/> × <paramref name="most"/>
    /// entries of its index in this call. True once every earlier failure is indexed; from then
    /// on a call costs one read.
    /// </summary>
    public async Task<bool> IndexEarlierFailuresAsync(string circle, int runs = 20, int most = 1000)
    {
        CircleName.Ensure(circle);
        for (var run = 0; run < runs; run++)
        {
            if ((await IndexFailuresScript.RunAsync(Db, new IndexFailuresScript.Args(circle, most))).Done)
                return true;
        }
        return false;
    }

    /// <summary>Takes back the tasks of a circle whose lease ran out; says how many went back and how many were lost.</summary>
    public async Task<ReapResult> ReapAsync(string circle, int maxAttempts, int batch = 100, bool trimIndex = true)
    {
        CircleName.Ensure(circle);
        var lost = TaskHash.ErrorText(
            new TaskError(ErrorCodes.Lost, $"The task's worker stopped answering during each of its {maxAttempts} attempts."));
        var reply = await ReapScript.RunAsync(Db,
            new ReapScript.Args(circle, time.GetUtcNow().ToUnixTimeMilliseconds(), maxAttempts, RetentionMs, lost, batch) { TrimIndex = trimIndex });
        GatewayMetrics.QueueDepth(circle, reply.Waiting);
        GatewayMetrics.TasksEnded(circle, TaskStates.Failed, reply.Lost);
        GatewayMetrics.TasksEnded(circle, TaskStates.Cancelled, reply.Cancelled);
        return new ReapResult(reply.Requeued, reply.Lost);
    }

    /// <summary>Cancels a task: at once when scheduled or pending, by telling its worker when running.</summary>
    public async Task<CancelResult> CancelAsync(string circle, string id)
    {
        CircleName.Ensure(circle);
        if (!TaskIds.IsWellFormed(id))
            return CancelResult.Missing;
        var result = await CancelScript.RunAsync(Db, new CancelScript.Args(circle, id, time.GetUtcNow().ToUnixTimeMilliseconds(), RetentionMs));
        // A running task's cancel ends in its worker's completion, which counts it there.
        if (result == CancelResult.Cancelled)
            GatewayMetrics.TasksEnded(circle, TaskStates.Cancelled, 1);
        return result;
    }

    /// <summary>How many ids one run of drain.lua takes at most: Redis serves nothing else while a script runs.</summary>
    internal const int DrainStep = 500;

    /// <summary>
    /// Cancels every task waiting in the circle's lanes, and with <paramref name="scheduled"/> every
    /// scheduled one too, in runs of <see cref="DrainStep"/>; running tasks are left alone. A task
    /// submitted while it works may be cancelled as well, but it stops once it has taken as many as
    /// were waiting at its first run, so a steady flow of submits cannot keep it going.
    /// </summary>
    /// <returns>How many tasks it cancelled.</returns>
    public async Task<long> DrainAsync(string circle, bool scheduled)
    {
        CircleName.Ensure(circle);
        long cancelled = 0, taken = 0, bound = -1;
        while (true)
        {
            var reply = await DrainScript.RunAsync(Db,
                new DrainScript.Args(circle, time.GetUtcNow().ToUnixTimeMilliseconds(), RetentionMs, scheduled, DrainStep));
            cancelled += reply.Cancelled;
            GatewayMetrics.TasksEnded(circle, TaskStates.Cancelled, reply.Cancelled);
            taken += reply.Taken;
            if (bound < 0)
                bound = reply.Taken + reply.Left;
            if (reply.Left == 0 || reply.Taken == 0 || taken >= bound)
                return cancelled;
        }
    }
}
