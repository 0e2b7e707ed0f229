namespace Gateway.Core.Tasks;

/// <summary>
/// The worker loop of this process, when it runs one. A submit into a circle whose queue is empty
/// hands new tasks straight to its free slots: claimed in the submit's own script, run here, with
/// no trip through the queue, no wake-up message and no separate claim.
/// </summary>
public sealed class LocalDispatch
{
    private volatile ILocalWorker? _worker;

    public void Attach(ILocalWorker worker) => _worker = worker;

    public void Detach(ILocalWorker worker) => Interlocked.CompareExchange(ref _worker, null, worker);

    /// <summary>The attached worker, or null when none takes work now.</summary>
    public ILocalWorker? Worker => _worker;
}

/// <summary>What a worker loop offers <see cref="LocalDispatch"/>.</summary>
public interface ILocalWorker
{
    string WorkerId { get; }

    TimeSpan Lease { get; }

    /// <summary>Takes up to <paramref name="wanted"/> free slots for tasks of the circle; 0 when it does not serve it, is stopping or is full.</summary>
    int TryReserve(string circle, int wanted);

    /// <summary>Gives back reserved slots no task came for.</summary>
    void Release(int count);

    /// <summary>Runs a task claimed for it, in a slot it reserved.</summary>
    void Start(ClaimedTask task);
}
