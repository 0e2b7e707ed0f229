using Gateway.Core.Redis;
using StackExchange.Redis;

namespace Gateway.Workers.Processing;

public sealed partial class WorkerService
{
    private WorkerInfo Describe() => new(
        _identity.Id,
        _identity.Host,
        _options.ServesAllCircles ? ["*"] : _options.Circles,
        _options.EffectiveConcurrency,
        Busy,
        _identity.StartedAt,
        _time.GetUtcNow(),
        Processed,
        _options.HeartbeatSeconds * 1000);

    /// <summary>Tells the registry this process is alive, what it serves and how busy it is; leaves it when stopping.</summary>
    private async Task HeartbeatLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.HeartbeatSeconds), _time);
        do
        {
            try
            {
                await _registry.BeatAsync(Describe());
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                LogHeartbeatFailed(_log, ex.Message);
            }
        }
        while (await WaitTick(timer, stoppingToken));

        try
        {
            await _registry.RemoveAsync(_identity.Id);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            // Redis is away: the entry ages out of the listing by itself.
            LogHeartbeatFailed(_log, ex.Message);
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
