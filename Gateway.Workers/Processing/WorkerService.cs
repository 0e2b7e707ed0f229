using System.Collections.Concurrent;
using System.Diagnostics;
using Gateway.Core.Configuration;
using Gateway.Core.Redis;
using Gateway.Core.Tasks;
using Gateway.Core.Telemetry;
using Gateway.Scripting.Sandbox;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using StackExchange.Redis;

namespace Gateway.Workers.Processing;

/// <summary>
/// Claims tasks from the served circles and runs up to <c>Concurrency</c> of them at once:
/// claim → run → complete, with the lease renewed while a task runs and expired leases of dead
/// workers reaped. A failure of one task never ends the loop; Redis outages are ridden out with
/// backoff. Stopping takes no new work, gives running work the grace period, then gives back
/// what is left.
/// </summary>
public sealed partial class WorkerService : BackgroundService, ILocalWorker
{
    private readonly LocalDispatch _local;
    private readonly TaskStore _store;
    private readonly WorkerRegistry _registry;
    private readonly ScriptRunner _runner;
    private readonly WorkerOptions _options;
    private readonly WorkerIdentity _identity;
    private readonly CircleSchedule _schedule;
    private readonly TimeProvider _time;
    private readonly ILogger<WorkerService> _log;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<string, RunningTask> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly CancellationTokenSource _stopRenewing = new();
    private Task _renewing = Task.CompletedTask;
    private readonly ResiliencePipeline _redisRetry;
    private readonly ScriptThreads _threads;
    private readonly MemoryRelief _memoryRelief;
    private long _processed;

    public WorkerService(
        TaskStore store,
        WorkerRegistry registry,
        TaskEvents events,
        ScriptRunner runner,
        IOptions<WorkerOptions> options,
        WorkerIdentity identity,
        TimeProvider time,
        ILogger<WorkerService> log,
        LocalDispatch local)
    {
        _local = local;
        _store = store;
        _registry = registry;
        _runner = runner;
        _options = options.Value;
        _identity = identity;
        _time = time;
        _log = log;
        _memoryRelief = new MemoryRelief(time);
        _schedule = new CircleSchedule(_options, store, events);
        _slots = new SemaphoreSlim(_options.EffectiveConcurrency, _options.EffectiveConcurrency);
        _threads = new ScriptThreads(_options.EffectiveConcurrency, "script");
        _redisRetry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<RedisException>().Handle<RedisTimeoutException>(),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = TimeSpan.FromSeconds(2),
                OnRetry = args =>
                {
                    if (args.AttemptNumber % 10 == 0)
                        LogRedisUnavailable(_log, args.Outcome.Exception, args.RetryDelay);
                    return default;
                },
            })
            .Build();
        GatewayMetrics.ObserveBusy(() => Busy);
        events.CancelRequested += (_, id) =>
        {
            if (_running.TryGetValue(id, out var running))
                running.RequestCancel();
        };
    }

    /// <summary>Tasks this process is running now.</summary>
    public int Busy => _running.Count;

    /// <summary>Tasks this process has finished since it started.</summary>
    public long Processed => Interlocked.Read(ref _processed);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(_log, _identity.Id, _options.EffectiveConcurrency, _options.ServesAllCircles ? "*" : string.Join(',', _options.Circles));
        // Renewal outlives the claim loop: running tasks keep their leases through the grace period.
        _renewing = RenewLoopAsync(_stopRenewing.Token);
        _local.Attach(this);
        await Task.WhenAll(ClaimLoopAsync(stoppingToken), ReapLoopAsync(stoppingToken), HeartbeatLoopAsync(stoppingToken));
    }

    /// <summary>
    /// Wait for a circle that may hold work, then for free slots, then claim as many tasks as
    /// there are free slots. Slots are not held while nothing is known to wait: a submit in this
    /// process may use them meanwhile (<see cref="TryReserve"/>).
    /// </summary>
    private async Task ClaimLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await ClaimOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A claim loop that died would leave this worker idle for good.
                    LogClaimLoopError(_log, ex);
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: no new claims from here on.
        }
    }

    private async Task ClaimOnceAsync(CancellationToken stoppingToken)
    {
        // Finding the next circle may read the circle set: Redis may be away then too.
        var circle = await _redisRetry.ExecuteAsync(async ct => await _schedule.NextAsync(ct), stoppingToken);
        await _slots.WaitAsync(stoppingToken);
        var free = 1;
        while (free < _options.EffectiveConcurrency && _slots.Wait(0))
            free++;

        var claimed = 0;
        try
        {
            claimed = await _redisRetry.ExecuteAsync(async _ => await ClaimAsync(circle, free), stoppingToken);
        }
        finally
        {
            if (free > claimed)
                _slots.Release(free - claimed);
        }
    }

    private async Task<int> ClaimAsync(string circle, int free)
    {
        var tasks = await _store.ClaimAsync(circle, _identity.Id, free, Lease);
        _schedule.Claimed(circle, free, tasks.Count);
        foreach (var task in tasks)
            Start(task);
        return tasks.Count;
    }

    public string WorkerId => _identity.Id;

    public TimeSpan Lease => TimeSpan.FromSeconds(_options.LeaseSeconds);

    public int TryReserve(string circle, int wanted)
    {
        if (Volatile.Read(ref _stopping) == 1 || !(_options.ServesAllCircles || _options.Circles.Contains(circle)))
            return 0;
        var reserved = 0;
        while (reserved < wanted && _slots.Wait(0))
            reserved++;
        return reserved;
    }

    public void Release(int count)
    {
        if (count > 0)
            _slots.Release(count);
    }

    public void Start(ClaimedTask task)
    {
        var running = new RunningTask(task, _shutdown.Token);
        _running[task.Id] = running;
        running.Completion = Task.Run(() => RunAsync(running), CancellationToken.None);
    }

    private async Task RunAsync(RunningTask running)
    {
        var task = running.Task;
        ActivityContext.TryParse(task.TraceParent, null, out var parent);
        using var activity = GatewayMetrics.Source.StartActivity("execute", ActivityKind.Consumer, parent);
        activity?.SetTag("gateway.task.id", task.Id);
        activity?.SetTag("gateway.circle", task.Circle);
        activity?.SetTag("gateway.task.attempt", task.Attempt);
        using var scope = _log.BeginScope(new Dictionary<string, object> { ["TaskId"] = task.Id, ["Circle"] = task.Circle });
        try
        {
            GatewayMetrics.TaskStarted(task.Circle, _time.GetUtcNow() - task.CreatedAt);
            var outcome = await _threads.RunAsync(() => _runner.RunAsync(task, running.Token));
            _memoryRelief.After(outcome);
            activity?.SetTag("gateway.task.status", outcome.Status.ToWire());
            if (outcome.Error is { } error)
                activity?.SetStatus(ActivityStatusCode.Error, error.Code);
            if (running.LeaseLost)
            {
                LogFenced(_log, task.Id, task.Circle);
            }
            else if (outcome.Status == TaskState.Cancelled && !running.CancelRequested)
            {
                // Stopped by shutdown, not by a caller: give it back for another worker, attempt uncounted.
                await _redisRetry.ExecuteAsync(async _ => await _store.RequeueAsync(task), CancellationToken.None);
                LogRequeued(_log, task.Id, task.Circle);
            }
            else if (await _redisRetry.ExecuteAsync(async _ => await _store.CompleteAsync(task, outcome), CancellationToken.None))
            {
                GatewayMetrics.TaskFinished(task.Circle, outcome.Status.ToWire(), TimeSpan.FromMilliseconds(outcome.DurationMs));
            }
            else
            {
                LogFenced(_log, task.Id, task.Circle);
            }
            Interlocked.Increment(ref _processed);
        }
        catch (Exception ex)
        {
            LogRunFailed(_log, ex, task.Id, task.Circle);
        }
        finally
        {
            _running.TryRemove(task.Id, out _);
            running.Dispose();
            _slots.Release();
        }
    }

    /// <remarks>
    /// The two cancellation sources are left to the GC: they own no timer, and a host may call
    /// <see cref="StopAsync"/> after disposing its services.
    /// </remarks>
    public override void Dispose()
    {
        _threads.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} runs {Concurrency} tasks at once from circles {Circles}")]
    private static partial void LogStarted(ILogger logger, string workerId, int concurrency, string circles);

    [LoggerMessage(Level = LogLevel.Error, Message = "Claiming failed; trying again in a second")]
    private static partial void LogClaimLoopError(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable; retrying in {Delay}")]
    private static partial void LogRedisUnavailable(ILogger logger, Exception? exception, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} in {Circle}: the lease was taken over, so this run's result was not written")]
    private static partial void LogFenced(ILogger logger, string taskId, string circle);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} in {Circle} was given back to its queue at shutdown")]
    private static partial void LogRequeued(ILogger logger, string taskId, string circle);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId} in {Circle} could not be run")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string taskId, string circle);
}
