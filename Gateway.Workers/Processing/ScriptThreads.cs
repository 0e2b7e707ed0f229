using System.Collections.Concurrent;

namespace Gateway.Workers.Processing;

/// <summary>
/// Dedicated threads for running scripts. A script is CPU-bound until its budget runs out; on
/// thread-pool threads a few of them starve the timers, Redis callbacks and HTTP requests of
/// the same process. Here they compete with those only for the CPU, not for pool threads.
/// </summary>
internal sealed class ScriptThreads : TaskScheduler, IDisposable
{
    private readonly BlockingCollection<Task> _queue = [];
    private readonly Thread[] _threads;

    public ScriptThreads(int count, string name)
    {
        _threads = new Thread[count];
        for (var i = 0; i < count; i++)
        {
            _threads[i] = new Thread(Run, maxStackSize: 4 * 1024 * 1024)
            {
                IsBackground = true,
                Name = $"{name}-{i}",
            };
            _threads[i].Start();
        }
    }

    public override int MaximumConcurrencyLevel => _threads.Length;

    /// <summary>Runs <paramref name="work"/> on one of these threads; its awaits come back here too.</summary>
    public Task<T> RunAsync<T>(Func<Task<T>> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.DenyChildAttach, this).Unwrap();

    private void Run()
    {
        foreach (var task in _queue.GetConsumingEnumerable())
            TryExecuteTask(task);
    }

    protected override void QueueTask(Task task) => _queue.Add(task);

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        Thread.CurrentThread.Name is { } name && _threads.Any(t => t.Name == name) && TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    /// <summary>Lets the threads finish what is queued and end; the queue itself is left to the GC.</summary>
    public void Dispose() => _queue.CompleteAdding();
}
