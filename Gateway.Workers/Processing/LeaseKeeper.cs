using StackExchange.Redis;

namespace Gateway.Workers.Processing;

/// <summary>
/// Extends the lease of every running task every third of the lease, and learns of leases lost
/// and cancels asked for. Registered before <see cref="WorkerService"/>, so it stops after it:
/// running tasks keep their leases through the shutdown grace period.
/// </summary>
internal sealed partial class LeaseKeeper(
    TaskQueue queue, RunningTasks running, IOptions<WorkerOptions> options, TimeProvider time, ILogger<LeaseKeeper> log)
    : BackgroundService
{
    private TimeSpan Lease => TimeSpan.FromSeconds(options.Value.LeaseSeconds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Lease / 3, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await RenewAllAsync();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A renewal loop that died would let every lease of this process run out.
                    LogRenewLoopError(log, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped, after every running task ended.
        }
    }

    internal async Task RenewAllAsync()
    {
        foreach (var task in running.All)
        {
            try
            {
                switch (await queue.RenewAsync(task.Task, Lease))
                {
                    case LeaseState.Lost:
                        task.Stop(StopReason.LeaseLost);
                        break;
                    case LeaseState.CancelRequested:
                        task.Stop(StopReason.Cancelled);
                        break;
                }
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                LogRenewFailed(log, task.Task.Id, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the lease of task {TaskId}: {Reason}")]
    private static partial void LogRenewFailed(ILogger logger, string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Renewing leases failed; trying again at the next tick")]
    private static partial void LogRenewLoopError(ILogger logger, Exception exception);
}
