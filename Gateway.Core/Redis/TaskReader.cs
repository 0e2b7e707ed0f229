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

    /// <summary>Recent tasks of a circle, newest first, optionally of one status.</summary>
    public async Task<IReadOnlyList<TaskRecord>> ListAsync(string circle, TaskState? status, int limit)
    {
        CircleName.Ensure(circle);
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
            var reads = ids.Select(id => batch.HashGetAsync(RedisKeys.Task(circle, (string?)id ?? ""), TaskHash.RecordFields)).ToArray();
            batch.Execute();
            foreach (var read in reads)
            {
                var task = TaskHash.ToRecord(circle, await read);
                if (task is not null && (status is null || task.Status == status) && found.Count < limit)
                    found.Add(task);
            }
            if (ids.Length < page)
                break;
        }
        return found;
    }

    /// <summary>Queue figures of one circle (pending counts every priority's lane); zeros for a circle that never had a task.</summary>
    public async Task<CircleStats> GetCircleAsync(string circle)
    {
        CircleName.Ensure(circle);
        var batch = Db.CreateBatch();
        var lanes = RedisKeys.Lanes(circle).Select(lane => batch.ListLengthAsync(lane)).ToArray();
        var processing = batch.SortedSetLengthAsync(RedisKeys.Processing(circle));
        var recent = batch.SortedSetLengthAsync(RedisKeys.Index(circle));
        var scheduled = batch.SortedSetLengthAsync(RedisKeys.Scheduled(circle));
        batch.Execute();
        long pending = 0;
        foreach (var lane in lanes)
            pending += await lane;
        return new CircleStats(circle, pending, await processing, await recent, await scheduled);
    }

    /// <summary>Every circle that has had a task, by name.</summary>
    public async Task<IReadOnlyList<string>> ListCircleNamesAsync()
    {
        var members = await Db.SetMembersAsync(RedisKeys.Circles);
        return members.Select(m => (string?)m ?? "").Where(CircleName.IsValid).Order(StringComparer.Ordinal).ToArray();
    }
}
