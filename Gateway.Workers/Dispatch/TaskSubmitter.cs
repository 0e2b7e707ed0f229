using StackExchange.Redis;

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
            var attempts = direct is null ? null : new CallAttempts();
            SubmitResult result;
            try
            {
                result = await queue.SubmitAsync(circle, tasks, idempotency, direct, reRunOnce, attempts);
            }
            catch (Exception ex) when (attempts is not null && ex is RedisTimeoutException or RedisConnectionException)
            {
                // The submit may have run and taken tasks for the slots, its answer lost: they
                // would sit leased to nobody until the reaper. A claim repeating its lease takes
                // them back with the slots. The caller still hears that the submit failed.
                _ = TakeBackAsync(worker, circle, reserved, attempts);
                started = reserved;
                throw;
            }
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

    /// <summary>Claims for <paramref name="slots"/> reserved slots as a repeat of a submit whose answer was lost, and starts what comes back.</summary>
    private async Task TakeBackAsync(ILocalWorker local, string circle, int slots, CallAttempts attempts)
    {
        var started = 0;
        try
        {
            foreach (var task in await queue.ClaimAsync(circle, local.WorkerId, slots, local.Lease, attempts))
            {
                local.Start(task);
                started++;
            }
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            // Redis is away: whatever the submit took goes back through the reaper.
        }
        finally
        {
            local.Release(slots - started);
        }
    }
}
