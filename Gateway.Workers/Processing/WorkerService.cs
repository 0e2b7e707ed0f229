using System.Collections.Concurrent;
using Gateway.Core.Configuration;
using Gateway.Core.Redis;
using Gateway.Core.Tasks;
using Gateway.Scripting.Sandbox;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using StackExchange.Redis;

namespace Gateway.Workers.Processing;

/// <summary>
/// Claims tasks from the served circles and runs up to <c>Concurrency</c> of them at once.
/// Claim → run → complete; a failure of one task never ends the loop, and Redis outages are
/// ridden out with backoff. Stopping takes no new work; running work gets the grace period.
/// </summary>
public sealed partial class WorkerService : BackgroundService
{
    private readonly TaskStore _store;
    private readonly ScriptRunner _runner;
    private readonly WorkerOptions _options;
    private readonly WorkerIdentity _identity;
    private readonly CircleSchedule _schedule;
    private readonly ILogger<WorkerService> _log;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<string, Task> _inFlight = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _abort = new();
    private readonly ResiliencePipeline _redisRetry;
    private readonly ScriptThreads _threads;
    private readonly MemoryRelief _memoryRelief;

    public WorkerService(
        TaskStore store,
        TaskEvents events,
        ScriptRunner runner,
        IOptions<WorkerOptions> options,
        WorkerIdentity identity,
        TimeProvider time,
        ILogger<WorkerService> log)
    {
        _memoryRelief = new MemoryRelief(time);
        _store = store;
        _runner = runner;
        _options = options.Value;
        _identity = identity;
        _log = log;
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
                MaxDelay = TimeSpan.FromSeconds(5),
                OnRetry = args =>
                {
                    if (args.AttemptNumber % 10 == 0)
                        LogRedisUnavailable(_log, args.Outcome.Exception, args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>Tasks this process is running now.</summary>
    public int Busy => _inFlight.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(_log, _identity.Id, _options.EffectiveConcurrency, _options.ServesAllCircles ? "*" : string.Join(',', _options.Circles));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _slots.WaitAsync(stoppingToken);
                var free = 1;
                while (free < _options.EffectiveConcurrency && _slots.Wait(0))
                    free++;

                var claimed = 0;
                try
                {
                    claimed = await _redisRetry.ExecuteAsync(async ct => await ClaimAsync(free, ct), stoppingToken);
                }
                finally
                {
                    if (free > claimed)
                        _slots.Release(free - claimed);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: no new claims from here on.
        }
    }

    private async Task<int> ClaimAsync(int free, CancellationToken cancellationToken)
    {
        var circle = await _schedule.NextAsync(cancellationToken);
        var lease = TimeSpan.FromSeconds(_options.LeaseSeconds);
        var tasks = await _store.ClaimAsync(circle, _identity.Id, free, lease);
        _schedule.Claimed(circle, free, tasks.Count);
        foreach (var task in tasks)
            _inFlight[task.Id] = Task.Run(() => RunAsync(task), CancellationToken.None);
        return tasks.Count;
    }

    private async Task RunAsync(ClaimedTask task)
    {
        try
        {
            var outcome = await _threads.RunAsync(() => _runner.RunAsync(task, _abort.Token));
            _memoryRelief.After(outcome);
            var written = await _redisRetry.ExecuteAsync(async _ => await _store.CompleteAsync(task, outcome), CancellationToken.None);
            if (!written)
                LogFenced(_log, task.Id, task.Circle);
        }
        catch (Exception ex)
        {
            LogRunFailed(_log, ex, task.Id, task.Circle);
        }
        finally
        {
            _inFlight.TryRemove(task.Id, out _);
            _slots.Release();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        var running = _inFlight.Values.ToArray();
        if (running.Length == 0)
            return;
        LogDraining(_log, running.Length, _options.ShutdownGraceSeconds);
        try
        {
            await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(_options.ShutdownGraceSeconds), cancellationToken);
        }
        catch (TimeoutException)
        {
            await _abort.CancelAsync();
            await Task.WhenAll(_inFlight.Values.ToArray());
        }
    }

    public override void Dispose()
    {
        _abort.Dispose();
        _slots.Dispose();
        _threads.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} runs {Concurrency} tasks at once from circles {Circles}")]
    private static partial void LogStarted(ILogger logger, string workerId, int concurrency, string circles);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable; retrying in {Delay}")]
    private static partial void LogRedisUnavailable(ILogger logger, Exception? exception, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} in {Circle}: the lease was taken over, so this run's result was not written")]
    private static partial void LogFenced(ILogger logger, string taskId, string circle);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId} in {Circle} could not be run")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string taskId, string circle);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: waiting up to {GraceSeconds} s for {Count} running tasks")]
    private static partial void LogDraining(ILogger logger, int count, int graceSeconds);
}
