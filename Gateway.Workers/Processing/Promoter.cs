using System.Threading.Channels;
using StackExchange.Redis;

namespace Gateway.Workers.Processing;

/// <summary>
/// Makes the scheduled tasks of the served circles pending when they fall due (promote.lua).
/// Nothing polls per task: it sleeps until the earliest due time it knows of. A submit or a retry
/// that schedules a task publishes "id scheduled", which makes it look at that circle's set again
/// (one promote, which moves whatever is due and answers the next due time), so an earlier task
/// wakes it earlier. A look at every served circle at start, after a reconnect and every
/// <see cref="SafetyLook"/> catches what a lost message would hide. Every worker process runs
/// one; the script moves each task once however many run at the same moment.
/// </summary>
internal sealed partial class Promoter(
    TaskQueue queue, TaskReader reader, TaskEvents events, IOptions<WorkerOptions> options, TimeProvider time, ILogger<Promoter> log)
    : BackgroundService
{
    /// <summary>
    /// How often every served circle is looked at without being told to: one script per circle,
    /// far inside the design's idle bound of 2 commands per second per circle.
    /// </summary>
    private static readonly TimeSpan SafetyLook = TimeSpan.FromSeconds(30);

    /// <summary>The most tasks one script moves, so that a large backlog does not hold Redis for long.</summary>
    private const int Batch = 500;

    private readonly Channel<string> _hints = Channel.CreateUnbounded<string>(new() { SingleReader = true });

    /// <summary>The earliest due time known per circle; a circle with nothing scheduled is absent.</summary>
    private readonly Dictionary<string, DateTimeOffset> _due = new(StringComparer.Ordinal);

    private readonly HashSet<string>? _served =
        options.Value.ServesAllCircles ? null : new HashSet<string>(options.Value.Circles, StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        events.Changed += OnChanged;
        try
        {
            await RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            events.Changed -= OnChanged;
        }
    }

    private void OnChanged(string circle, string id, TaskState state)
    {
        // An empty circle is the "connection restored" nudge: messages may have been lost, look everywhere.
        if (circle.Length == 0 || (state == TaskState.Scheduled && (_served is null || _served.Contains(circle))))
            _hints.Writer.TryWrite(circle);
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var lookAll = true;
        var lastLookAll = time.GetTimestamp();
        var look = new HashSet<string>(StringComparer.Ordinal);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (_hints.Reader.TryRead(out var hinted))
                {
                    if (hinted.Length == 0)
                        lookAll = true;
                    else
                        look.Add(hinted);
                }
                if (lookAll)
                {
                    look.UnionWith(_served ?? (IEnumerable<string>)await reader.ListCircleNamesAsync());
                    lookAll = false;
                    lastLookAll = time.GetTimestamp();
                }
                var now = time.GetUtcNow();
                foreach (var (circle, due) in _due)
                {
                    if (due <= now)
                        look.Add(circle);
                }
                foreach (var circle in look)
                    await PromoteAsync(circle);
                look.Clear();
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                // Redis is away: try everything again shortly.
                LogPromoteFailed(log, ex.Message);
                lookAll = true;
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                continue;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A promoter that died would leave scheduled tasks waiting for good.
                LogPromoteError(log, ex);
                lookAll = true;
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                continue;
            }

            var untilLookAll = SafetyLook - time.GetElapsedTime(lastLookAll);
            var sleep = untilLookAll;
            if (_due.Count > 0)
            {
                // Rounded up to the next millisecond: due times are whole milliseconds, and waking
                // a fraction early would only find nothing due and sleep again.
                var untilDue = TimeSpan.FromMilliseconds(Math.Ceiling((_due.Values.Min() - time.GetUtcNow()).TotalMilliseconds));
                sleep = untilDue < sleep ? untilDue : sleep;
            }
            if (sleep <= TimeSpan.Zero)
            {
                lookAll = untilLookAll <= TimeSpan.Zero;
                continue;
            }
            using var timeout = new CancellationTokenSource(sleep, time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
            try
            {
                await _hints.Reader.WaitToReadAsync(either.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                lookAll = time.GetElapsedTime(lastLookAll) >= SafetyLook;
            }
        }
    }

    /// <summary>Moves what is due in one circle (in batches) and remembers when its next task is due.</summary>
    private async Task PromoteAsync(string circle)
    {
        PromoteResult result;
        do
        {
            var asked = time.GetTimestamp();
            var askedAt = time.GetUtcNow();
            result = await queue.PromoteAsync(circle, Batch);
            if (result.Moved > 0)
            {
                LogPromoted(log, circle, result.Moved, (askedAt - result.EarliestMoved!.Value).TotalMilliseconds,
                    time.GetElapsedTime(asked).TotalMilliseconds);
            }
        }
        while (result.Moved == Batch);
        if (result.NextDue is { } next)
            _due[circle] = next;
        else
            _due.Remove(circle);
    }

    [LoggerMessage(Level = LogLevel.Debug,
        Message = "Circle {Circle}: {Count} scheduled tasks fell due and are pending, the earliest moved {LagMs:0.0} ms after its time, in {RoundTripMs:0.0} ms")]
    private static partial void LogPromoted(ILogger logger, string circle, int count, double lagMs, double roundTripMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Promoting scheduled tasks skipped: {Reason}")]
    private static partial void LogPromoteFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Promoting scheduled tasks failed; trying again in a second")]
    private static partial void LogPromoteError(ILogger logger, Exception exception);
}
