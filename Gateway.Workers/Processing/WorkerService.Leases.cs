using Gateway.Core.Redis;
using StackExchange.Redis;

namespace Gateway.Workers.Processing;

public sealed partial class WorkerService
{
    private TimeSpan RenewEvery => TimeSpan.FromSeconds(_options.LeaseSeconds / 3.0);

    private TimeSpan ReapEvery => TimeSpan.FromSeconds(Math.Clamp(_options.LeaseSeconds / 2.0, 0.5, 5));

    /// <summary>Extends the lease of every running task, and learns of leases lost and cancels asked for.</summary>
    private async Task RenewLoopAsync(CancellationToken stopRenewing)
    {
        using var timer = new PeriodicTimer(RenewEvery, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopRenewing))
            {
                try
                {
                    await RenewAllAsync();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A renewal loop that died would let every lease of this process run out.
                    LogRenewLoopError(_log, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stopRenewing.IsCancellationRequested)
        {
            // Stopped, after every running task ended.
        }
    }

    private async Task RenewAllAsync()
    {
        var lease = TimeSpan.FromSeconds(_options.LeaseSeconds);
        foreach (var running in _running.Values)
        {
            try
            {
                switch (await _store.RenewAsync(running.Task, lease))
                {
                    case LeaseState.Lost:
                        running.LoseLease();
                        break;
                    case LeaseState.CancelRequested:
                        running.RequestCancel();
                        break;
                }
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                LogRenewFailed(_log, running.Task.Id, ex.Message);
            }
        }
    }

    /// <summary>Takes back, in every served circle, the tasks of workers that died holding them.</summary>
    private async Task ReapLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ReapEvery, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var circles = _options.ServesAllCircles ? await _store.ListCircleNamesAsync() : _options.Circles;
                    foreach (var circle in circles)
                    {
                        var (requeued, lost) = await _store.ReapAsync(circle, _options.MaxAttempts);
                        if (requeued + lost > 0)
                            LogReaped(_log, circle, requeued, lost);
                    }
                }
                catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
                {
                    // Redis is away; the next tick tries again.
                    LogReapFailed(_log, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the lease of task {TaskId}: {Reason}")]
    private static partial void LogRenewFailed(ILogger logger, string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Renewing leases failed; trying again at the next tick")]
    private static partial void LogRenewLoopError(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Circle {Circle}: {Requeued} tasks of dead workers requeued, {Lost} failed as lost")]
    private static partial void LogReaped(ILogger logger, string circle, int requeued, int lost);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reaping skipped: {Reason}")]
    private static partial void LogReapFailed(ILogger logger, string reason);
}
