namespace Gateway.Api.Apis;

/// <summary>
/// Long-polling without polling: a request waits on the process's event subscription and reads
/// the task again only when a change (or a reconnect) says it may be worth it.
/// </summary>
internal static class TaskWaiter
{
    /// <summary>
    /// The task once terminal, or as it stands when <paramref name="wait"/> runs out. Pass
    /// <paramref name="known"/> when the caller has just read or written the task.
    /// </summary>
    public static async Task<TaskRecord?> WaitAsync(
        TaskReader store, TaskWatch watch, TaskRecord? known, TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var task = known ?? await store.GetAsync(watch.Circle, watch.Id);
        while (task is not null && !task.Status.IsTerminal())
        {
            var left = wait - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero || !await watch.WaitForTerminalOrNudgeAsync(left, cancellationToken))
                break;
            // The completion message usually carries the finished task; read it only when it did not.
            task = watch.Finished ?? await store.GetAsync(watch.Circle, watch.Id);
        }
        return task;
    }

    /// <summary>
    /// Every task once terminal, or each as it stands when <paramref name="wait"/> runs out (those
    /// not finished are read again then, so none is shown older than it is).
    /// </summary>
    public static async Task<IReadOnlyList<TaskRecord>> WaitAllAsync(
        TaskReader store, IReadOnlyList<TaskWatch> watches, IReadOnlyList<TaskRecord> submitted, TimeSpan wait, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var waited = await Task.WhenAll(watches.Select((watch, i) => WaitAsync(store, watch, submitted[i], wait, time, cancellationToken)));
        var tasks = new TaskRecord[waited.Length];
        var unfinished = new List<int>();
        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = waited[i] ?? submitted[i];
            if (!tasks[i].Status.IsTerminal())
                unfinished.Add(i);
        }
        if (unfinished.Count > 0)
        {
            var now = await store.GetManyAsync(watches[0].Circle, unfinished.Select(i => tasks[i].Id).ToArray());
            for (var j = 0; j < unfinished.Count; j++)
                tasks[unfinished[j]] = now[j] ?? tasks[unfinished[j]];
        }
        return tasks;
    }
}
