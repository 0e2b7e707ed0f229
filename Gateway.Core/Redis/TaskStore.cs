using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Gateway.Core.Configuration;
using Gateway.Core.Telemetry;
using Gateway.Core.Tasks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Core.Redis;

/// <summary>
/// The queue client: every read and write of tasks in Redis goes through here, and every
/// state change is one script of <see cref="LuaScripts"/>.
/// </summary>
public sealed class TaskStore(
    IConnectionMultiplexer redis, TimeProvider time, IOptions<TaskOptions> options, IOptions<LimitsOptions>? limits = null, LocalDispatch? local = null)
{
    private static readonly RedisValue[] TaskFields =
        ["id", "status", "result", "error", "output", "attempts", "created", "started", "finished", "duration", "worker", "caller", "timeout"];

    /// <summary>A finished task's record rides on its completion message up to this size; a larger one is read from Redis.</summary>
    internal const int MaxRecordInMessage = 16 * 1024;

    /// <summary>When this process last added each circle to the set of known circles.</summary>
    private readonly ConcurrentDictionary<string, long> _circlesAdded = new(StringComparer.Ordinal);

    private IDatabase Db => redis.GetDatabase();

    private long RetentionMs => options.Value.RetentionHours * 3_600_000L;

    /// <summary>Queues the tasks in one round trip and returns them as stored (pending).</summary>
    public async Task<IReadOnlyList<TaskRecord>> SubmitAsync(string circle, IReadOnlyList<NewTask> tasks) =>
        (await SubmitAsync(circle, tasks, idempotency: null)).Tasks;

    /// <summary>
    /// Queues the tasks in one round trip. With an idempotency key already used in this circle,
    /// nothing is queued and the earlier submit's task id and body fingerprint are returned.
    /// With <paramref name="runHere"/> — for a caller that waits for the result and so never shows
    /// the task pending — when this process runs a worker with free slots for the circle and the
    /// queue is empty, the first tasks are claimed for it in the same round trip and start here at once.
    /// </summary>
    public async Task<SubmitResult> SubmitAsync(string circle, IReadOnlyList<NewTask> tasks, Idempotency? idempotency, bool runHere = false)
    {
        EnsureCircle(circle);
        using var activity = GatewayMetrics.Source.StartActivity("enqueue", ActivityKind.Producer);
        activity?.SetTag("gateway.circle", circle);
        activity?.SetTag("gateway.task.count", tasks.Count);
        var traceparent = activity?.Id ?? Activity.Current?.Id ?? "";
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var created = DateTimeOffset.FromUnixTimeMilliseconds(now);
        var records = new TaskRecord[tasks.Count];
        var argv = new RedisValue[SubmitHeader + 6 * tasks.Count];
        argv[0] = RedisKeys.TaskPrefix(circle);
        argv[1] = RedisKeys.Events(circle);
        argv[2] = now;
        argv[3] = circle;
        for (var i = 0; i < tasks.Count; i++)
        {
            var task = tasks[i];
            var id = task.Id ?? TaskIds.New(time);
            if (!TaskIds.IsWellFormed(id))
                throw new ArgumentException($"'{id}' is not a task id.", nameof(tasks));
            var at = SubmitHeader + 6 * i;
            argv[at] = id;
            argv[at + 1] = task.Script;
            argv[at + 2] = task.ArgsJson;
            argv[at + 3] = task.TimeoutMs;
            argv[at + 4] = task.Caller ?? "";
            argv[at + 5] = traceparent;
            records[i] = new TaskRecord
            {
                Id = id,
                Circle = circle,
                Status = TaskState.Pending,
                CreatedAt = created,
                Caller = task.Caller,
                TimeoutMs = task.TimeoutMs,
            };
        }

        argv[6] = limits?.Value.MaxPendingPerCircle ?? int.MaxValue;
        RedisKey[] keys = idempotency is null
            ? [RedisKeys.Queue(circle), RedisKeys.Index(circle), RedisKeys.Processing(circle)]
            : [RedisKeys.Queue(circle), RedisKeys.Index(circle), RedisKeys.Processing(circle), RedisKeys.Idempotency(circle, idempotency.Key)];
        argv[4] = idempotency is null ? "" : $"{records[0].Id}|{idempotency.Fingerprint}";
        argv[5] = idempotency is null ? 0 : (long)idempotency.Lifetime.TotalMilliseconds;

        var worker = runHere ? local?.Worker : null;
        var reserved = worker?.TryReserve(circle, tasks.Count) ?? 0;
        var stem = reserved > 0 ? LeaseStem(worker!.WorkerId, now) : "";
        argv[7] = reserved;
        argv[8] = worker?.WorkerId ?? "";
        argv[9] = reserved > 0 ? now + (long)worker!.Lease.TotalMilliseconds : 0;
        argv[10] = stem;

        var db = Db;
        // The circle set is a global key in its own slot: written beside the script, not inside it,
        // and once a minute per circle rather than with every task.
        var tick = Environment.TickCount64;
        if (!_circlesAdded.TryGetValue(circle, out var added) || tick - added > 60_000)
        {
            _circlesAdded[circle] = tick;
            _ = db.SetAddAsync(RedisKeys.Circles, circle, CommandFlags.FireAndForget);
        }
        if (tasks.Count == 1)
            activity?.SetTag("gateway.task.id", records[0].Id);

        var claimed = 0;
        try
        {
            var seen = (string?)await db.ScriptEvaluateAsync(LuaScripts.Submit, keys, argv);
            if (seen == "!quota")
                return new SubmitResult([], null, null, QuotaExceeded: true);
            if (!string.IsNullOrEmpty(seen) && seen[0] != '=')
            {
                var bar = seen.IndexOf('|', StringComparison.Ordinal);
                return new SubmitResult([], seen[..bar], seen[(bar + 1)..]);
            }

            claimed = string.IsNullOrEmpty(seen) ? 0 : int.Parse(seen.AsSpan(1), CultureInfo.InvariantCulture);
            for (var i = 0; i < claimed; i++)
            {
                var task = tasks[i];
                records[i] = records[i] with { Status = TaskState.Processing, Attempts = 1, StartedAt = created, WorkerId = worker!.WorkerId };
                worker!.Start(new ClaimedTask(records[i].Id, circle, task.Script, task.ArgsJson, task.TimeoutMs, 1, task.Caller,
                    $"{stem}.{i + 1}", created)
                {
                    TraceParent = NullIfEmpty(traceparent),
                    StartedAt = created,
                    WorkerId = worker.WorkerId,
                });
            }
            Telemetry.GatewayMetrics.TaskSubmitted(circle, records.Length);
            return new SubmitResult(records, null, null);
        }
        finally
        {
            if (reserved > claimed)
                worker!.Release(reserved - claimed);
        }
    }

    /// <summary>Argument slots of the submit script before the first task's.</summary>
    private const int SubmitHeader = 11;

    private static string LeaseStem(string workerId, long now) => $"{workerId}.{now:x}.{Random.Shared.Next():x}";

    /// <summary>Claims up to <paramref name="max"/> pending tasks of a circle for a worker.</summary>
    public async Task<IReadOnlyList<ClaimedTask>> ClaimAsync(string circle, string workerId, int max, TimeSpan lease)
    {
        EnsureCircle(circle);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var stem = LeaseStem(workerId, now);
        var result = await Db.ScriptEvaluateAsync(
            LuaScripts.Claim,
            [RedisKeys.Queue(circle), RedisKeys.Processing(circle)],
            [RedisKeys.TaskPrefix(circle), RedisKeys.Events(circle), now, (long)lease.TotalMilliseconds, workerId, max, stem]);
        if (result.IsNull || result.Length == 0)
            return [];

        var claimed = new ClaimedTask[result.Length];
        for (var i = 0; i < claimed.Length; i++)
        {
            var f = (RedisResult[])result[i]!;
            claimed[i] = new ClaimedTask(
                Id: (string)f[0]!,
                Circle: circle,
                Script: (string?)f[1] ?? "",
                ArgsJson: (string?)f[2] ?? "null",
                TimeoutMs: (int)f[3],
                Attempt: (int)f[4],
                Caller: NullIfEmpty((string?)f[5]),
                LeaseToken: (string)f[7]!,
                CreatedAt: DateTimeOffset.FromUnixTimeMilliseconds((long)f[6]))
            {
                TraceParent = NullIfEmpty((string?)f[8]),
                StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(now),
                WorkerId = workerId,
            };
        }
        return claimed;
    }

    /// <summary>Writes the outcome of a run. False when the lease was taken over (the write was fenced off).</summary>
    public async Task<bool> CompleteAsync(ClaimedTask task, TaskOutcome outcome)
    {
        var circle = task.Circle;
        var finished = time.GetUtcNow().ToUnixTimeMilliseconds();
        var duration = Math.Round(outcome.DurationMs, 3);
        var error = outcome.Error is null ? "" : JsonSerializer.Serialize(outcome.Error, CoreJson.Default.TaskError);
        var result = await Db.ScriptEvaluateAsync(
            LuaScripts.Complete,
            [RedisKeys.Task(circle, task.Id), RedisKeys.Processing(circle)],
            [
                task.Id, task.LeaseToken, outcome.Status.ToWire(), outcome.ResultJson ?? "", error, outcome.Output,
                finished, duration.ToString("0.###", CultureInfo.InvariantCulture), RetentionMs, RedisKeys.Events(circle),
                CompletionMessage(task, outcome, finished, duration),
            ]);
        return (int)result == 1;
    }

    /// <summary>
    /// "id status", followed by the finished task as a later read would return it, so that a
    /// waiting request answers without reading it back; only the status when the record is large.
    /// </summary>
    private static string CompletionMessage(ClaimedTask task, TaskOutcome outcome, long finished, double duration)
    {
        var head = $"{task.Id} {outcome.Status.ToWire()}";
        if ((outcome.ResultJson?.Length ?? 0) + outcome.Output.Length > MaxRecordInMessage)
            return head;
        var record = new TaskRecord
        {
            Id = task.Id,
            Circle = task.Circle,
            Status = outcome.Status,
            ResultJson = string.IsNullOrEmpty(outcome.ResultJson) ? null : outcome.ResultJson,
            Error = outcome.Error,
            Output = outcome.Output,
            Attempts = task.Attempt,
            CreatedAt = task.CreatedAt,
            StartedAt = task.StartedAt,
            FinishedAt = DateTimeOffset.FromUnixTimeMilliseconds(finished),
            DurationMs = duration,
            WorkerId = task.WorkerId,
            Caller = task.Caller,
            TimeoutMs = task.TimeoutMs,
        };
        return $"{head} {JsonSerializer.Serialize(record, CoreJson.Default.TaskRecord)}";
    }

    /// <summary>
    /// Extends a running task's lease. <see cref="LeaseState.Lost"/> when another worker holds it
    /// now; <see cref="LeaseState.CancelRequested"/> when a cancel was asked for.
    /// </summary>
    public async Task<LeaseState> RenewAsync(ClaimedTask task, TimeSpan lease)
    {
        var deadline = time.GetUtcNow().Add(lease).ToUnixTimeMilliseconds();
        var result = (int)await Db.ScriptEvaluateAsync(
            LuaScripts.Renew,
            [RedisKeys.Task(task.Circle, task.Id), RedisKeys.Processing(task.Circle)],
            [task.Id, task.LeaseToken, deadline]);
        return result switch
        {
            -1 => LeaseState.Lost,
            1 => LeaseState.CancelRequested,
            _ => LeaseState.Held,
        };
    }

    /// <summary>Gives a claimed, unfinished task back to the front of its queue without counting the attempt.</summary>
    public async Task<bool> RequeueAsync(ClaimedTask task)
    {
        var circle = task.Circle;
        var result = await Db.ScriptEvaluateAsync(
            LuaScripts.Requeue,
            [RedisKeys.Task(circle, task.Id), RedisKeys.Processing(circle), RedisKeys.Queue(circle)],
            [task.Id, task.LeaseToken, RedisKeys.Events(circle), time.GetUtcNow().ToUnixTimeMilliseconds(), RetentionMs]);
        return (int)result == 1;
    }

    /// <summary>Takes back the tasks of a circle whose lease ran out; returns how many went back and how many were lost.</summary>
    public async Task<(int Requeued, int Lost)> ReapAsync(string circle, int maxAttempts, int batch = 100)
    {
        EnsureCircle(circle);
        var lost = JsonSerializer.Serialize(
            new TaskError(ErrorCodes.Lost, $"The task's worker stopped answering during each of its {maxAttempts} attempts."),
            CoreJson.Default.TaskError);
        var result = await Db.ScriptEvaluateAsync(
            LuaScripts.Reap,
            [RedisKeys.Processing(circle), RedisKeys.Queue(circle), RedisKeys.Index(circle)],
            [RedisKeys.TaskPrefix(circle), RedisKeys.Events(circle), time.GetUtcNow().ToUnixTimeMilliseconds(), maxAttempts, RetentionMs, lost, batch]);
        Telemetry.GatewayMetrics.QueueDepth(circle, (long)result[2]);
        return ((int)result[0], (int)result[1]);
    }

    /// <summary>Cancels a task: at once when pending, by telling its worker when running.</summary>
    public async Task<CancelResult> CancelAsync(string circle, string id)
    {
        EnsureCircle(circle);
        if (!TaskIds.IsWellFormed(id))
            return CancelResult.Missing;
        var result = (string?)await Db.ScriptEvaluateAsync(
            LuaScripts.Cancel,
            [RedisKeys.Task(circle, id), RedisKeys.Queue(circle)],
            [id, RedisKeys.Events(circle), time.GetUtcNow().ToUnixTimeMilliseconds(), RetentionMs]);
        return result switch
        {
            "cancelled" => CancelResult.Cancelled,
            "cancelling" => CancelResult.Stopping,
            "missing" => CancelResult.Missing,
            _ => CancelResult.AlreadyFinished,
        };
    }

    /// <summary>The task, or null when the circle has no such task (never had, or past retention).</summary>
    public async Task<TaskRecord?> GetAsync(string circle, string id)
    {
        EnsureCircle(circle);
        if (!TaskIds.IsWellFormed(id))
            return null;
        var values = await Db.HashGetAsync(RedisKeys.Task(circle, id), TaskFields);
        return Parse(circle, values);
    }

    /// <summary>Recent tasks of a circle, newest first, optionally of one status.</summary>
    public async Task<IReadOnlyList<TaskRecord>> ListAsync(string circle, TaskState? status, int limit)
    {
        EnsureCircle(circle);
        var db = Db;
        var found = new List<TaskRecord>(limit);
        // Without a status filter one page is enough; with one, read on in pages, bounded.
        var page = status is null ? limit : Math.Max(limit, 100);
        for (long start = 0; found.Count < limit && start < 20L * page; start += page)
        {
            var ids = await db.SortedSetRangeByRankAsync(RedisKeys.Index(circle), start, start + page - 1, Order.Descending);
            if (ids.Length == 0)
                break;
            var batch = db.CreateBatch();
            var reads = ids.Select(id => batch.HashGetAsync(RedisKeys.Task(circle, (string)id!), TaskFields)).ToArray();
            batch.Execute();
            foreach (var read in reads)
            {
                var task = Parse(circle, await read);
                if (task is not null && (status is null || task.Status == status) && found.Count < limit)
                    found.Add(task);
            }
            if (ids.Length < page)
                break;
        }
        return found;
    }

    /// <summary>Queue figures of one circle; zeros for a circle that never had a task.</summary>
    public async Task<CircleStats> GetCircleAsync(string circle)
    {
        EnsureCircle(circle);
        var batch = Db.CreateBatch();
        var pending = batch.ListLengthAsync(RedisKeys.Queue(circle));
        var processing = batch.SortedSetLengthAsync(RedisKeys.Processing(circle));
        var recent = batch.SortedSetLengthAsync(RedisKeys.Index(circle));
        batch.Execute();
        return new CircleStats(circle, await pending, await processing, await recent);
    }

    /// <summary>Every circle that has had a task, by name.</summary>
    public async Task<IReadOnlyList<string>> ListCircleNamesAsync()
    {
        var members = await Db.SetMembersAsync(RedisKeys.Circles);
        return members.Select(m => (string)m!).Where(CircleName.IsValid).Order(StringComparer.Ordinal).ToArray();
    }

    private static TaskRecord? Parse(string circle, RedisValue[] v)
    {
        if (v[1].IsNull || !TaskStates.TryParse(v[1], out var status))
            return null;
        return new TaskRecord
        {
            Id = v[0]!,
            Circle = circle,
            Status = status,
            ResultJson = NullIfEmpty(v[2]),
            Error = NullIfEmpty(v[3]) is { } e ? JsonSerializer.Deserialize(e, CoreJson.Default.TaskError) : null,
            Output = (string?)v[4] ?? "",
            Attempts = (int)v[5],
            CreatedAt = Time(v[6]) ?? default,
            StartedAt = Time(v[7]),
            FinishedAt = Time(v[8]),
            DurationMs = NullIfEmpty(v[9]) is { } d ? double.Parse(d, CultureInfo.InvariantCulture) : null,
            WorkerId = NullIfEmpty(v[10]),
            Caller = NullIfEmpty(v[11]),
            TimeoutMs = (int)v[12],
        };
    }

    private static DateTimeOffset? Time(RedisValue ms) =>
        ms.IsNullOrEmpty ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)ms);

    private static string? NullIfEmpty(RedisValue value) => value.IsNullOrEmpty ? null : (string?)value;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static void EnsureCircle(string circle)
    {
        if (!CircleName.IsValid(circle))
            throw new ArgumentException($"'{circle}' is not a valid circle name.", nameof(circle));
    }
}

/// <summary>What a submit did: the tasks it queued, or the task an earlier submit with the same idempotency key queued.</summary>
public sealed record SubmitResult(IReadOnlyList<TaskRecord> Tasks, string? ExistingId, string? ExistingFingerprint, bool QuotaExceeded = false);

/// <summary>An idempotency key (as the caller sent it), a fingerprint of the request body, and how long the key holds.</summary>
public sealed record Idempotency(string Key, string Fingerprint, TimeSpan Lifetime);

public enum LeaseState
{
    Held,
    Lost,
    CancelRequested,
}

public enum CancelResult
{
    Cancelled,
    Stopping,
    Missing,
    AlreadyFinished,
}

/// <summary>Queue figures of a circle.</summary>
public sealed record CircleStats(string Name, long Pending, long Processing, long Recent);
