namespace Gateway.Workers.Processing;

/// <summary>Why a running task was stopped before its script ended by itself.</summary>
internal enum StopReason
{
    /// <summary>A caller asked to cancel it: it ends cancelled.</summary>
    Cancelled = 1,

    /// <summary>Another worker holds its lease now: this run's result would be fenced off anyway.</summary>
    LeaseLost,

    /// <summary>The process is stopping and the grace period ran out: it goes back to its queue.</summary>
    Shutdown,
}

/// <summary>A task this process is running, and how it may be stopped.</summary>
/// <remarks>
/// A cancel event or a renewal may learn of a task just as its run ends; stopping a task that
/// already ended does nothing, so those races cost nothing. The first reason given is the one
/// that counts.
/// </remarks>
internal sealed class RunningTask(ClaimedTask task) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private bool _ended;
    private StopReason? _reason;

    public ClaimedTask Task { get; } = task;

    /// <summary>Stops the script.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Why it was stopped, or null while nobody has stopped it.</summary>
    public StopReason? Reason
    {
        get
        {
            lock (_gate)
                return _reason;
        }
    }

    public System.Threading.Tasks.Task Completion { get; set; } = System.Threading.Tasks.Task.CompletedTask;

    public void Stop(StopReason reason)
    {
        lock (_gate)
        {
            _reason ??= reason;
            if (!_ended)
                _stop.Cancel();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _ended = true;
            _stop.Dispose();
        }
    }
}
