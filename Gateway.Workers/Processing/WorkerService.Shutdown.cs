namespace Gateway.Workers.Processing;

public sealed partial class WorkerService
{
    private int _stopped;

    /// <summary>
    /// Stop taking work (the claim loop ends), give running tasks the grace period, then stop
    /// what is left and give it back to its queue at once — not after its lease runs out.
    /// Leases are kept meanwhile: <see cref="LeaseKeeper"/> stops after this.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
            return;
        Volatile.Write(ref _accepting, 0);
        await base.StopAsync(cancellationToken);
        await DrainAsync(cancellationToken);
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        var running = _running.All.Select(r => r.Completion).ToArray();
        if (running.Length == 0)
            return;

        LogDraining(_log, running.Length, _options.ShutdownGraceSeconds);
        var started = _time.GetTimestamp();
        var grace = TimeSpan.FromSeconds(_options.ShutdownGraceSeconds);
        try
        {
            // A task that finished just as the stop began may have claimed its successor with its
            // completion: wait for those too, within the same grace period.
            while (running.Length > 0)
            {
                var left = grace - _time.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                    throw new TimeoutException();
                await Task.WhenAll(running).WaitAsync(left, _time, cancellationToken);
                running = _running.All.Select(r => r.Completion).ToArray();
            }
        }
        catch (TimeoutException)
        {
            var left = _running.All.ToArray();
            foreach (var task in left)
                task.Stop(StopReason.Shutdown);
            await Task.WhenAll(left.Select(r => r.Completion)).WaitAsync(TimeSpan.FromSeconds(5), _time, CancellationToken.None);
            LogGaveBack(_log, left.Length);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: waiting up to {GraceSeconds} s for {Count} running tasks")]
    private static partial void LogDraining(ILogger logger, int count, int graceSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: the grace period ran out; {Count} tasks were stopped and given back")]
    private static partial void LogGaveBack(ILogger logger, int count);
}
