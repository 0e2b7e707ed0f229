namespace Gateway.Workers.Dispatch;

/// <summary>
/// Submits tasks for callers in this process. A caller that waits for the result never sees the
/// task pending, so when this process runs a worker with free slots for the circle, the new
/// tasks may take them: slots reserved → submitted (taken in the submit's own script when the
/// queue is empty) → started here, or the slots released. No trip through the queue, no wake-up
/// message, no separate claim.
/// </summary>
public sealed class TaskSubmitter(TaskQueue queue, ILocalWorker? worker = null)
{
    /// <param name="reRunOnce">Store nothing when a task the new ones re-run has been re-run already (<see cref="TaskQueue.SubmitAsync"/>).</param>
    public async Task<SubmitResult> SubmitAsync(string circle, IReadOnlyList<NewTask> tasks, Idempotency? idempotency, bool runHere = false,
        bool reRunOnce = false)
    {
        if (!runHere || worker is null)
            return await queue.SubmitAsync(circle, tasks, idempotency, reRunOnce: reRunOnce);

        var reserved = worker.TryReserve(circle, tasks.Count);
        var started = 0;
        try
        {
            var direct = reserved > 0 ? new DirectSlots(worker.WorkerId, reserved, worker.Lease) : null;
            var result = await queue.SubmitAsync(circle, tasks, idempotency, direct, reRunOnce);
            foreach (var task in result.TakenHere)
            {
                worker.Start(task);
                started++;
            }
            return result;
        }
        finally
        {
            worker.Release(reserved - started);
        }
    }
}
