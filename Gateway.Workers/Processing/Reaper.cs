using StackExchange.Redis;

namespace Gateway.Workers.Processing;

/// <summary>
/// Takes back, in every served circle, the tasks of workers that died holding them: every half
/// lease (between 0.5 and 5 s); and once a minute trims each circle's indexes of tasks past
/// retention and, until that is done, indexes the failures a store of an earlier version holds.
/// Every worker process runs one; the scripts make that safe.
/// </summary>
internal sealed partial class Reaper(
    TaskQueue queue, TaskReader reader, IOptions<WorkerOptions> options, TimeProvider time, ILogger<Reaper> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var every = TimeSpan.FromSeconds(Math.Clamp(settings.LeaseSeconds / 2.0, 0.5, 5));
        // Trimming the index of tasks past retention is not urgent: once a minute is enough.
        var trimEvery = Math.Max(1, (int)(TimeSpan.FromMinutes(1) / every));
        var tick = 0;
        // Circles whose failures from before the index of failures are all indexed (RedisKeys.FailedIndexed).
        var indexed = new HashSet<string>(StringComparer.Ordinal);
        using var timer = new PeriodicTimer(every, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var circles = settings.ServesAllCircles ? await reader.ListCircleNamesAsync() : settings.Circles;
                    var trim = tick++ % trimEvery == 0;
                    foreach (var circle in circles)
                    {
                        var reaped = await queue.ReapAsync(circle, settings.MaxAttempts, trimIndex: trim);
                        if (trim && !indexed.Contains(circle) && await queue.IndexEarlierFailuresAsync(circle))
                            indexed.Add(circle);
                        if (reaped.Requeued + reaped.Lost > 0)
                            LogReaped(log, circle, reaped.Requeued, reaped.Lost);
                    }
                }
                catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
                {
                    // Redis is away; the next tick tries again.
                    LogReapFailed(log, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Circle {Circle}: {Requeued} tasks of dead workers requeued, {Lost} failed as lost")]
    private static partial void LogReaped(ILogger logger, string circle, int requeued, int lost);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reaping skipped: {Reason}")]
    private static partial void LogReapFailed(ILogger logger, string reason);
}
