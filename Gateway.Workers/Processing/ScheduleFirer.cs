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

    /// <summary>
    /// How long a due schedule this process cannot work out (its zone is unknown here) is left to
    /// the others before it looks again; and a circle whose firing failed, before it tries again.
    /// </summary>
    private static readonly TimeSpan Stuck = TimeSpan.FromSeconds(10);

    /// <summary>Earliest next due time per served circle that has one.</summary>
    private readonly Dictionary<string, DateTimeOffset> _due = new(StringComparer.Ordinal);

    /// <summary>
    /// Per circle, its due schedules this process cannot work out, each with when to look at it
    /// again. The circle's other schedules are due as if those were not there.
    /// </summary>
    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> _notHere = new(StringComparer.Ordinal);

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
                    {
                        refreshAt = DateTimeOffset.MinValue;
                    }
                    else
                    {
                        _notHere.Remove(hint); // a put may have given it a zone known here
                        await LookAsync(hint);
                    }
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
                var firings = await schedules.FireDueAsync(circle);
                HoldBack(circle, firings.Where(f => f.Outcome == FiringOutcome.NotHere), now);
                foreach (var firing in firings)
                {
                    if (firing.Outcome == FiringOutcome.Fired)
                        LogFired(log, circle, firing.Name, firing.Due, firing.TaskId);
                    else if (firing.Outcome != FiringOutcome.NotHere)
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

    /// <summary>
    /// Leaves the circle's schedules this process cannot work out to the others until
    /// <see cref="Stuck"/> from now, and forgets those it could work out again.
    /// </summary>
    private void HoldBack(string circle, IEnumerable<Firing> notHere, DateTimeOffset now)
    {
        var held = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var before = _notHere.GetValueOrDefault(circle);
        foreach (var firing in notHere)
        {
            held[firing.Name] = now + Stuck;
            if (before?.ContainsKey(firing.Name) == true)
                continue;
            if (firing.Error is { } error)
                LogUnreadable(log, error, circle, firing.Name);
            else
                LogNotHere(log, circle, firing.Name);
        }
        if (held.Count > 0)
            _notHere[circle] = held;
        else
            _notHere.Remove(circle);
    }

    private async Task LookAsync(string circle)
    {
        var now = time.GetUtcNow();
        var held = _notHere.GetValueOrDefault(circle)?.Where(h => h.Value > now).ToArray() ?? [];
        var due = await schedules.EarliestAsync(circle, held.Length == 0 ? null : held.Select(h => h.Key).ToArray());
        if (held.Length > 0)
        {
            var again = held.Min(h => h.Value);
            due = due is { } earliest ? Min(earliest, again) : again;
        }
        if (due is { } next)
            _due[circle] = next;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Circle {Circle}: schedule {Schedule} is due, but its time zone is unknown to this process: left to the others")]
    private static partial void LogNotHere(ILogger logger, string circle, string schedule);

    [LoggerMessage(Level = LogLevel.Error, Message = "Circle {Circle}: schedule {Schedule} is due, but what is stored of it does not read: left where it is; the circle's others fire")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string circle, string schedule);

    [LoggerMessage(Level = LogLevel.Error, Message = "Circle {Circle}: firing its schedules failed")]
    private static partial void LogFireFailed(ILogger logger, Exception exception, string circle);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Schedules not fired: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);
}
