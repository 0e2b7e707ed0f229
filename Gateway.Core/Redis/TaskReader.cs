using StackExchange.Redis;

namespace Gateway.Core.Redis;

/// <summary>Reads of tasks and circles: one task, a circle's recent tasks, a circle's figures, the circles.</summary>
public sealed class TaskReader(IConnectionMultiplexer redis)
{
    private IDatabase Db => redis.GetDatabase();

    /// <summary>The task, or null when the circle has no such task (never had, or past retention).</summary>
    public async Task<TaskRecord?> GetAsync(string circle, string id)
    {
        CircleName.Ensure(circle);
        if (!TaskIds.IsWellFormed(id))
            return null;
        return TaskHash.ToRecord(circle, await Db.HashGetAsync(RedisKeys.Task(circle, id), TaskHash.RecordFields));
    }

    /// <summary>Tasks of a circle by id, in the order asked; null for each that is unknown.</summary>
    public async Task<IReadOnlyList<TaskRecord?>> GetManyAsync(string circle, IReadOnlyList<string> ids)
    {
        CircleName.Ensure(circle);
        var batch = Db.CreateBatch();
        var reads = ids.Select(id => TaskIds.IsWellFormed(id) ? batch.HashGetAsync(RedisKeys.Task(circle, id), TaskHash.RecordFields) : null).ToArray();
        batch.Execute();
        var found = new TaskRecord?[ids.Count];
        for (var i = 0; i < found.Length; i++)
            found[i] = reads[i] is { } read ? TaskHash.ToRecord(circle, await read) : null;
        return found;
    }

    /// <summary>What an idempotency key used in this circle holds; null when it is unused or past its lifetime.</summary>
    public async Task<IdempotencyRecord?> GetIdempotencyAsync(string circle, string key)
    {
        CircleName.Ensure(circle);
        var stored = await Db.StringGetAsync(RedisKeys.Idempotency(circle, key));
        return stored.IsNull ? null : IdempotencyRecord.Parse(stored.ToString());
    }

    /// <summary>A task's status and what it takes to submit it again (script, args, options); null when unknown.</summary>
    public async Task<TaskDefinition?> GetDefinitionAsync(string circle, string id)
    {
        CircleName.Ensure(circle);
        if (!TaskIds.IsWellFormed(id))
            return null;
        return TaskHash.ToDefinition(await Db.HashGetAsync(RedisKeys.Task(circle, id), TaskHash.DefinitionFields));
    }

    private static readonly RedisValue[] SourceFields = [TaskHash.Status, TaskHash.Script, TaskHash.Args, TaskHash.TraceParent];

    /// <summary>
    /// What the task was submitted with (for the dashboard's task page), or null when the circle
    /// has no such task. Kept apart from <see cref="GetAsync"/>, the hot read, which never carries
    /// a script of up to 64 KiB it does not need.
    /// </summary>
    public async Task<TaskSource?> GetSourceAsync(string circle, string id)
    {
        CircleName.Ensure(circle);
        if (!TaskIds.IsWellFormed(id))
            return null;
        var v = await Db.HashGetAsync(RedisKeys.Task(circle, id), SourceFields);
        if (v[0].IsNull)
            return null;
        return new TaskSource((string?)v[1] ?? "", TaskHash.Text(v[2]) ?? "null", TaskHash.Text(v[3]));
    }

    /// <summary>Index entries read in one round trip while a status filter looks for its tasks.</summary>
    private const int FilteredPage = 100;

    /// <summary>Most index entries one list request reads while a status filter looks for its tasks.</summary>
    public const int MaxScanned = 20 * FilteredPage;

    /// <summary>
    /// A page of a circle's tasks, newest first, optionally of one status, starting after the task
    /// <paramref name="before"/> (the newest when null). Failed tasks are read from the circle's
    /// index of failures (<see cref="RedisKeys.Failed"/>), the latest failure first, so their
    /// pages are full; a page of another status reads at most <see cref="MaxScanned"/> entries
    /// of the circle's list, so it may hold fewer than <paramref name="limit"/> tasks though
    /// older ones match. <see cref="TaskPage.Next"/> is the
    /// last task read, from which the next page goes on; null when nothing older is listed. A
    /// <paramref name="before"/> no longer listed (past its retention) places the page by the time
    /// its id carries.
    /// </summary>
    public async Task<TaskPage> ListAsync(string circle, TaskState? status, int limit, string? before = null)
    {
        CircleName.Ensure(circle);
        if (before is not null && !TaskIds.IsWellFormed(before))
            throw new ArgumentException($"'{before}' is not a task id.", nameof(before));
        var db = Db;
        // An index that holds only the tasks asked for needs no filtering pass over the rest.
        var indexed = status is null or TaskState.Failed;
        var index = status == TaskState.Failed ? RedisKeys.Failed(circle) : RedisKeys.Index(circle);
        var found = new List<TaskRecord>(limit);
        var start = 0L;
        Position? last = null;
        if (before is not null)
        {
            var rank = db.SortedSetRankAsync(index, before, Order.Descending);
            var score = db.SortedSetScoreAsync(index, before);
            last = new Position(await score ?? TaskIds.CreatedMs(before), before);
            // Not listed: after every task created at or after the time its id carries.
            start = await rank is { } r ? r + 1 : await db.SortedSetLengthAsync(index, last.Value.Score, double.PositiveInfinity);
        }
        // From an index of what is asked for one read is enough; filtering, read on, bounded.
        var page = indexed ? limit : Math.Max(limit, FilteredPage);
        var end = start + (indexed ? limit : MaxScanned);
        string? next = null;
        var ended = false;
        while (found.Count < limit && start < end && !ended)
        {
            var want = Math.Min(page, end - start);
            // One entry more than is read, to know whether anything is older: a page that ends
            // exactly where the list does names no next page.
            var entries = await db.SortedSetRangeByRankWithScoresAsync(index, start, start + want, Order.Descending);
            ended = entries.Length <= want;
            if (!ended)
                entries = entries[..(int)want];
            start += entries.Length;
            var batch = db.CreateBatch();
            var reads = new List<(string Id, Task<RedisValue[]> Read)>(entries.Length);
            foreach (var entry in entries)
            {
                var position = new Position(entry.Score, (string?)entry.Element ?? "");
                // A task submitted since the last read moves every entry down a rank: skip what was read.
                if (last is { } seen && !position.IsOlderThan(seen))
                    continue;
                last = position;
                reads.Add((position.Id, batch.HashGetAsync(RedisKeys.Task(circle, position.Id), TaskHash.RecordFields)));
            }
            batch.Execute();
            var taken = 0;
            for (; taken < reads.Count && found.Count < limit; taken++)
            {
                next = reads[taken].Id;
                var task = TaskHash.ToRecord(circle, await reads[taken].Read);
                if (task is not null && (status is null || task.Status == status))
                    found.Add(task);
            }
            if (ended && taken == reads.Count)
                next = null; // the list's last entry was taken: nothing is older
        }
        return new TaskPage(found, next);
    }

    /// <summary>Most failures a look for failures to re-run reads, those already re-run included.</summary>
    public const int MaxRetryScanned = 20_000;

    /// <summary>Failures read in one round trip while looking for failures to re-run.</summary>
    private const int RetryScanPage = 500;

    /// <summary>What tells whether a failure is still to be re-run.</summary>
    private static readonly RedisValue[] RetryCheckFields = [TaskHash.Status, TaskHash.RetriedBy];

    /// <summary>
    /// The circle's failed tasks that no task re-runs yet (no <see cref="TaskRecord.RetriedBy"/>),
    /// the latest failure first, at most <paramref name="limit"/>, each with what it takes to
    /// submit it again. It reads the circle's index of failures, at most
    /// <see cref="MaxRetryScanned"/> of them, and of each only its status and re-run: a failure's
    /// output and result are never read to be passed over.
    /// </summary>
    public async Task<IReadOnlyList<(string Id, NewTask Task)>> ListFailuresToRetryAsync(string circle, int limit)
    {
        var index = RedisKeys.Failed(circle);
        var ids = new List<string>(limit);
        // Failures that come in meanwhile push the entries read down a rank: a page may read some again.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (long start = 0; start < MaxRetryScanned && ids.Count < limit; start += RetryScanPage)
        {
            var entries = await Db.SortedSetRangeByRankAsync(index, start, start + RetryScanPage - 1, Order.Descending);
            var checks = Db.CreateBatch();
            var states = entries.Select(e => ((string)e!, checks.HashGetAsync(RedisKeys.Task(circle, (string)e!), RetryCheckFields))).ToArray();
            checks.Execute();
            foreach (var (id, read) in states)
            {
                var v = await read;
                if (ids.Count < limit && seen.Add(id) && v[0] == TaskStates.Failed && v[1].IsNull)
                    ids.Add(id);
            }
            if (entries.Length < RetryScanPage)
                break;
        }
        var batch = Db.CreateBatch();
        var reads = ids.Select(id => batch.HashGetAsync(RedisKeys.Task(circle, id), TaskHash.DefinitionFields)).ToArray();
        batch.Execute();
        var found = new List<(string, NewTask)>(ids.Count);
        for (var i = 0; i < ids.Count; i++)
        {
            if (TaskHash.ToDefinition(await reads[i]) is { Status: TaskState.Failed } failed)
                found.Add((ids[i], failed.Task));
        }
        return found;
    }

    /// <summary>Where an entry stands in an index: by its score (created, or failed in the index of failures), then by id (the index's order).</summary>
    private readonly record struct Position(double Score, string Id)
    {
        public bool IsOlderThan(Position other) =>
            Score < other.Score || (Score == other.Score && string.CompareOrdinal(Id, other.Id) < 0);
    }

    /// <summary>Queue figures of one circle (pending counts every priority's lane); zeros for a circle that never had a task.</summary>
    public async Task<CircleStats> GetCircleAsync(string circle)
    {
        CircleName.Ensure(circle);
        var batch = Db.CreateBatch();
        var laneKeys = RedisKeys.Lanes(circle);
        var lanes = new Task<long>[laneKeys.Length];
        for (var p = 0; p < lanes.Length; p++)
            lanes[p] = batch.ListLengthAsync(laneKeys[p]);
        var processing = batch.SortedSetLengthAsync(RedisKeys.Processing(circle));
        var recent = batch.SortedSetLengthAsync(RedisKeys.Index(circle));
        var scheduled = batch.SortedSetLengthAsync(RedisKeys.Scheduled(circle));
        var failed = batch.SortedSetLengthAsync(RedisKeys.Failed(circle));
        var paused = batch.KeyExistsAsync(RedisKeys.PausedFlag(circle));
        batch.Execute();
        long pending = 0;
        foreach (var lane in lanes)
            pending += await lane;
        return new CircleStats(circle, pending, await processing, await recent, await scheduled, await paused) { Failed = await failed };
    }

    /// <summary>Every circle that has had a task, by name.</summary>
    public async Task<IReadOnlyList<string>> ListCircleNamesAsync()
    {
        var members = await Db.SetMembersAsync(RedisKeys.Circles);
        return members.Select(m => (string?)m ?? "").Where(CircleName.IsValid).Order(StringComparer.Ordinal).ToArray();
    }
}

/// <summary>A page of a circle's tasks, newest first; <see cref="Next"/> is the id the next page starts after, null when the list ended.</summary>
public sealed record TaskPage(IReadOnlyList<TaskRecord> Tasks, string? Next);
