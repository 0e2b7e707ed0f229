using System.Threading.Channels;
using Gateway.Core.Recurring;
using StackExchange.Redis;

namespace Gateway.Workers.Processing;

/// <summary>
/// Fires the schedules of the served circles. It sleeps until the earliest next due time it
/// knows of and costs nothing while none is due: a put or delete of a schedule anywhere wakes it
/// through the schedule-changes message, and it re-reads every circle's earliest due time once
/// a minute in case a message was lost. Every worker process runs one; fire.lua makes each due
/// time fire once however many try it.
/// </summary>
internal sealed partial class ScheduleFirer(
    ScheduleStore schedules, IConnectionMultiplexer redis, IOptions<WorkerOptions> options, TimeProvider time, ILogger<ScheduleFirer> log)
    : BackgroundService
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMinutes(1);

    /// <summary>How long a circle whose due schedule this process cannot move (it cannot parse its zone) is left alone.</summary>
    private static readonly TimeSpan Stuck = TimeSpan.FromSeconds(10);

    /// <summary>Earliest next due time per served circle that has one.</summary>
    private readonly Dictionary<string, DateTimeOffset> _due = new(StringComparer.Ordinal);

    /// <summary>Circles whose schedules changed; "" for "look at every circle again".</summary>
    private readonly Channel<string> _hints = Channel.CreateUnbounded<string>(new() { SingleReader = true });

    private bool Serves(string circle) => options.Value.ServesAllCircles || options.Value.Circles.Contains(circle, StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        redis.ConnectionRestored += (_, e) =>
        {
            // Changes published while the connection was down are gone: look everywhere.
            if (e.ConnectionType == ConnectionType.Subscription)
                _hints.Writer.TryWrite("");
        };
        var subscribed = false;
        var refreshAt = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!subscribed)
                {
                    await redis.GetSubscriber().SubscribeAsync(RedisKeys.ScheduleChanges, (_, message) =>
                    {
                        if ((string?)message is { } circle && Serves(circle))
                            _hints.Writer.TryWrite(circle);
                    });
                    subscribed = true;
                }
                while (_hints.Reader.TryRead(out var hint))
                {
                    if (hint.Length == 0)
                        refreshAt = DateTimeOffset.MinValue;
                    else
                        await LookAsync(hint);
                }
                if (time.GetUtcNow() >= refreshAt)
                {
                    await LookEverywhereAsync();
                    refreshAt = time.GetUtcNow() + Refresh;
                }

                await FireDueAsync();

                var wake = _due.Count == 0 ? refreshAt : Min(_due.Values.Min(), refreshAt);
                await SleepAsync(wake - time.GetUtcNow(), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                // Redis is away: try again shortly; a due time it stays away for past the grace is not replayed.
                LogUnavailable(log, ex.Message);
                refreshAt = DateTimeOffset.MinValue;
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task FireDueAsync()
    {
        var now = time.GetUtcNow();
        foreach (var circle in _due.Where(d => d.Value <= now).Select(d => d.Key).ToArray())
        {
            try
            {
                foreach (var firing in await schedules.FireDueAsync(circle))
                {
                    if (firing.Outcome == FiringOutcome.Fired)
                        LogFired(log, circle, firing.Name, firing.Due, firing.TaskId);
                    else
                        LogSkipped(log, circle, firing.Name, firing.Due, firing.Outcome);
                }
            }
            catch (Exception ex) when (ex is not (RedisException or RedisTimeoutException))
            {
                // One circle's failure (a malformed schedule) never stops the others.
                LogFireFailed(log, ex, circle);
            }
            await LookAsync(circle);
            if (_due.TryGetValue(circle, out var still) && still <= now)
                _due[circle] = now + Stuck;
        }
    }

    private async Task LookEverywhereAsync()
    {
        var settings = options.Value;
        IEnumerable<string> circles = settings.ServesAllCircles ? await schedules.ListCirclesAsync() : settings.Circles;
        _due.Clear();
        foreach (var circle in circles)
            await LookAsync(circle);
    }

    private async Task LookAsync(string circle)
    {
        if (await schedules.EarliestAsync(circle) is { } earliest)
            _due[circle] = earliest;
        else
            _due.Remove(circle);
    }

    /// <summary>Sleeps for <paramref name="delay"/>, or until a schedule changes.</summary>
    private async Task SleepAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        if (delay <= TimeSpan.Zero)
            return;
        using var timeout = new CancellationTokenSource(delay, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stoppingToken);
        try
        {
            await _hints.Reader.WaitToReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // Time to look.
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Circle {Circle}: schedule {Schedule} fired for {Due:O} as task {TaskId}")]
    private static partial void LogFired(ILogger logger, string circle, string schedule, DateTimeOffset? due, string? taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Circle {Circle}: schedule {Schedule} did not fire for {Due:O}: {Outcome}")]
    private static partial void LogSkipped(ILogger logger, string circle, string schedule, DateTimeOffset? due, FiringOutcome outcome);

    [LoggerMessage(Level = LogLevel.Error, Message = "Circle {Circle}: firing its schedules failed")]
    private static partial void LogFireFailed(ILogger logger, Exception exception, string circle);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Schedules not fired: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);
}
