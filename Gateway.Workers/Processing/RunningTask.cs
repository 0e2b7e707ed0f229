using Gateway.Core.Tasks;

namespace Gateway.Workers.Processing;

/// <summary>A task this process is running, and how it may be stopped.</summary>
/// <remarks>
/// A cancel event or a renewal may learn of a task just as its run ends; stopping a task that
/// already ended does nothing, so those races cost nothing.
/// </remarks>
internal sealed class RunningTask(ClaimedTask task, CancellationToken shutdown) : IDisposable
{
    private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
    private readonly Lock _gate = new();
    private bool _ended;

    public ClaimedTask Task { get; } = task;

    /// <summary>Stops the script: the cancel asked for, shutdown's grace run out, or the lease lost.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>A caller asked to cancel it: it ends cancelled, whatever else is going on.</summary>
    public bool CancelRequested { get; private set; }

    /// <summary>Another worker holds its lease now: this run's result would be fenced off anyway.</summary>
    public bool LeaseLost { get; private set; }

    public System.Threading.Tasks.Task Completion { get; set; } = System.Threading.Tasks.Task.CompletedTask;

    public void RequestCancel()
    {
        CancelRequested = true;
        Stop();
    }

    public void LoseLease()
    {
        LeaseLost = true;
        Stop();
    }

    private void Stop()
    {
        lock (_gate)
        {
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
