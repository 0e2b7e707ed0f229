namespace Gateway.Workers.Dispatch;

/// <summary>What this process's worker loop offers <see cref="TaskSubmitter"/>: free slots, and starting a task taken for them.</summary>
public interface ILocalWorker
{
    string WorkerId { get; }

    TimeSpan Lease { get; }

    /// <summary>Takes up to <paramref name="wanted"/> free slots for tasks of the circle; 0 when it does not serve it, is not taking work or is full.</summary>
    int TryReserve(string circle, int wanted);

    /// <summary>Gives back reserved slots no task came for.</summary>
    void Release(int count);

    /// <summary>Runs a task taken for it, in a slot it reserved.</summary>
    void Start(ClaimedTask task);
}
