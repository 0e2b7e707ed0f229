using System.Diagnostics;
using Gateway.Core.Telemetry;
using Gateway.Scripting.Sandbox;
using Gateway.Workers.Dispatch;
using Polly;
using Polly.Retry;
using StackExchange.Redis;

namespace Gateway.Workers.Processing;

/// <summary>
/// Claims tasks from the served circles and runs up to <c>Concurrency</c> of them at once:
/// claim → run → complete. A failure of one task never ends the loop; Redis outages are ridden
/// out with backoff. Leases are kept by <see cref="LeaseKeeper"/>, dead workers' tasks taken back
/// by <see cref="Reaper"/>, liveness told by <see cref="Heartbeat"/>.
/// </summary>
public sealed partial class WorkerService : BackgroundService, ILocalWorker
{
    private readonly TaskQueue _queue;
    private readonly TaskEvents _events;
    private readonly ScriptRunner _runner;
    private readonly WorkerOptions _options;
    private readonly WorkerIdentity _identity;
    private readonly CircleSchedule _schedule;
    private readonly RunningTasks _running;
    private readonly TimeProvider _time;
    private readonly ILogger<WorkerService> _log;
    private readonly SemaphoreSlim _slots;
    private readonly ResiliencePipeline _redisRetry;
    private readonly ScriptThreads _threads;
    private readonly MemoryRelief _memoryRelief;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly PausedCircles _paused;

    /// <summary>1 while the claim loop takes work: before it starts and once it stops, no slot is handed out.</summary>
    private int _accepting;

    public WorkerService(
        TaskQueue queue,
        TaskReader reader,
        TaskEvents events,
        PausedCircles paused,
        RunningTasks running,
        ScriptRunner runner,
        IOptions<WorkerOptions> options,
        WorkerIdentity identity,
        TimeProvider time,
        IHostApplicationLifetime lifetime,
        ILogger<WorkerService> log)
    {
        _lifetime = lifetime;
        _queue = queue;
        _events = events;
        _runner = runner;
        _options = options.Value;
        _identity = identity;
        _running = running;
        _time = time;
        _log = log;
        _memoryRelief = new MemoryRelief(time);
        _paused = paused;
        _schedule = new CircleSchedule(_options, reader, events, paused);
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
    }

    /// <summary>Tasks this process is running now.</summary>
    public int Busy => _running.Count;

    public string WorkerId => _identity.Id;

    public TimeSpan Lease => TimeSpan.FromSeconds(_options.LeaseSeconds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _lifetime.WhenStartedAsync(stoppingToken);
            LogStarted(_log, _identity.Id, _options.EffectiveConcurrency, _options.ServesAllCircles ? "*" : string.Join(',', _options.Circles));
            Volatile.Write(ref _accepting, 1);
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

    /// <summary>
    /// Wait for a circle that may hold work, then for free slots, then claim as many tasks as
    /// there are free slots. Slots are not held while nothing is known to wait: a submit in this
    /// process may use them meanwhile (<see cref="TryReserve"/>).
    /// </summary>
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
            // An attempt whose answer was lost may have run: the next one takes back what it leased.
            var attempts = new CallAttempts();
            claimed = await _redisRetry.ExecuteAsync(async _ => await ClaimAsync(circle, free, attempts), stoppingToken);
        }
        finally
        {
            if (free > claimed)
                _slots.Release(free - claimed);
        }
    }

    private async Task<int> ClaimAsync(string circle, int free, CallAttempts attempts)
    {
        var tasks = await _queue.ClaimAsync(circle, _identity.Id, free, Lease, attempts);
        _schedule.Claimed(circle, free, tasks.Count);
        foreach (var task in tasks)
            Start(task);
        return tasks.Count;
    }

    public int TryReserve(string circle, int wanted)
    {
        if (Volatile.Read(ref _accepting) == 0 || !(_options.ServesAllCircles || _options.Circles.Contains(circle)) || _paused.Contains(circle))
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
        var running = new RunningTask(task);
        _running.Add(running);
        // RunAsync hands the script to a script thread at its first await; until then it only
        // sets up tracing, so it may start on the caller's thread rather than cost another hop.
        running.Completion = RunAsync(running);
    }

    private async Task RunAsync(RunningTask running)
    {
        var task = running.Task;
        IReadOnlyList<ClaimedTask> taken = [];
        ActivityContext.TryParse(task.TraceParent, null, out var parent);
        using (var activity = GatewayMetrics.Source.StartActivity("execute", ActivityKind.Consumer, parent))
        using (_log.BeginScope(new Dictionary<string, object> { ["TaskId"] = task.Id, ["Circle"] = task.Circle }))
        {
            activity?.SetTag("gateway.task.id", task.Id);
            activity?.SetTag("gateway.circle", task.Circle);
            activity?.SetTag("gateway.task.attempt", task.Attempt);
            try
            {
                GatewayMetrics.TaskStarted(task.Circle, _time.GetUtcNow() - task.Record.CreatedAt);
                var outcome = await _threads.RunAsync(() => _runner.RunAsync(task, running.Token));
                _memoryRelief.After(outcome);
                activity?.SetTag("gateway.task.status", outcome.Status.ToWire());
                if (outcome.Error is { } error)
                    activity?.SetStatus(ActivityStatusCode.Error, error.Code);
                taken = await FinishAsync(running, outcome);
            }
            catch (Exception ex)
            {
                LogRunFailed(_log, ex, task.Id, task.Circle);
            }
        }
        // Tasks claimed with the completion take over the slot. They start once this task's span
        // and log scope have ended (else they would be theirs too), and before this task leaves
        // the running set, so that a shutdown looking in between still waits for them.
        foreach (var next in taken)
            Start(next);
        _running.Remove(running);
        running.Dispose();
        if (taken.Count == 0)
            _slots.Release();
    }

    /// <summary>Writes the outcome; returns the circle's next task when one was claimed with it for this slot, to start on it.</summary>
    private async Task<IReadOnlyList<ClaimedTask>> FinishAsync(RunningTask running, TaskOutcome outcome)
    {
        var task = running.Task;
        switch (running.Reason)
        {
            case StopReason.LeaseLost:
                LogFenced(_log, task.Id, task.Circle);
                return [];
            case StopReason.Shutdown when outcome.Status == TaskState.Cancelled:
                // Stopped by shutdown, not by a caller: give it back for another worker, attempt uncounted.
                await _redisRetry.ExecuteAsync(async _ => await _queue.RequeueAsync(task), CancellationToken.None);
                LogRequeued(_log, task.Id, task.Circle);
                return [];
        }
        // The slot this run frees, for the circle's next task, while no other circle waits for it.
        var freed = Volatile.Read(ref _accepting) == 1 && _schedule.MayClaimNext(task.Circle) ? new DirectSlots(_identity.Id, 1, Lease) : null;
        var attempts = new CallAttempts();
        var completed = await _redisRetry.ExecuteAsync(async _ => await _queue.CompleteAsync(task, outcome, freed, attempts), CancellationToken.None);
        if (completed.Record is { } record)
            _events.Finished(record);
        if (!completed.Written)
            LogFenced(_log, task.Id, task.Circle);
        else if (completed.RetryAt is { } retryAt)
            LogRetryScheduled(_log, task.Id, task.Circle, task.Attempt, outcome.Error?.Code ?? "", retryAt);
        else
            GatewayMetrics.TaskFinished(task.Circle, outcome.Status.ToWire(), TimeSpan.FromMilliseconds(outcome.DurationMs));
        return completed.TakenHere;
    }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} in {Circle}: attempt {Attempt} failed with {Code}; its retry policy runs it again at {RetryAt:O}")]
    private static partial void LogRetryScheduled(ILogger logger, string taskId, string circle, int attempt, string code, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} in {Circle} was given back to its queue at shutdown")]
    private static partial void LogRequeued(ILogger logger, string taskId, string circle);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId} in {Circle} could not be run")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string taskId, string circle);
}
