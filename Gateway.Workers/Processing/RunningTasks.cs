using System.Collections.Concurrent;

namespace Gateway.Workers.Processing;

/// <summary>
/// The tasks this process runs now: what the claim loop starts, the lease keeper renews, the
/// heartbeat counts and a cancel event stops.
/// </summary>
public sealed class RunningTasks
{
    private readonly ConcurrentDictionary<string, RunningTask> _running = new(StringComparer.Ordinal);
    private long _finished;

    public RunningTasks(TaskEvents events)
    {
        events.CancelRequested += (_, id) =>
        {
            if (_running.TryGetValue(id, out var running))
                running.Stop(StopReason.Cancelled);
        };
    }

    public int Count => _running.Count;

    /// <summary>Tasks this process has finished since it started.</summary>
    public long Finished => Interlocked.Read(ref _finished);

    internal ICollection<RunningTask> All => _running.Values;

    internal void Add(RunningTask running) => _running[running.Task.Id] = running;

    internal void Remove(RunningTask running)
    {
        _running.TryRemove(running.Task.Id, out _);
        Interlocked.Increment(ref _finished);
    }
}
