using StackExchange.Redis;

namespace Gateway.Workers.Processing;

/// <summary>Tells the worker registry this process is alive, what it serves and how busy it is; leaves it when stopping.</summary>
internal sealed partial class Heartbeat(
    WorkerRegistry registry, RunningTasks running, WorkerIdentity identity, IOptions<WorkerOptions> options, TimeProvider time,
    IHostApplicationLifetime lifetime, ILogger<Heartbeat> log) : BackgroundService
{
    private WorkerInfo Describe()
    {
        var settings = options.Value;
        return new WorkerInfo(
            identity.Id,
            identity.Host,
            settings.ServesAllCircles ? ["*"] : settings.Circles,
            settings.EffectiveConcurrency,
            running.Count,
            identity.StartedAt,
            time.GetUtcNow(),
            running.Finished,
            settings.HeartbeatSeconds * 1000);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Listed once the host has started (HostStart): a host that fails to start never was.
            await lifetime.WhenStartedAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.HeartbeatSeconds), time);
        do
        {
            try
            {
                await registry.BeatAsync(Describe());
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                LogHeartbeatFailed(log, ex.Message);
            }
        }
        while (await WaitTick(timer, stoppingToken));

        try
        {
            await registry.RemoveAsync(identity.Id);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            // Redis is away: the entry ages out of the listing by itself.
            LogHeartbeatFailed(log, ex.Message);
        }
    }

    private static async Task<bool> WaitTick(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Heartbeat skipped: {Reason}")]
    private static partial void LogHeartbeatFailed(ILogger logger, string reason);
}
