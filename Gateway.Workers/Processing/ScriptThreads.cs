namespace Gateway.Workers.Processing;

/// <summary>
/// Dedicated threads for running scripts. A script is CPU-bound until its budget runs out; on
/// thread-pool threads a few of them starve the timers, Redis callbacks and HTTP requests of
/// the same process. Here they compete with those only for the CPU, not for pool threads.
/// </summary>
/// <remarks>
/// Work goes to one idle thread, woken on its own signal; threads that find nothing to do sleep
/// in the kernel at once. (Sharing one blocking queue had every idle thread spin on each hand-off:
/// with 16 threads on two cores that spinning took a fifth of the process's CPU under load.)
/// </remarks>
internal sealed class ScriptThreads : TaskScheduler, IDisposable
{
    [ThreadStatic]
    private static ScriptThreads? t_owner;

    private readonly Queue<Task> _queue = new();
    private readonly Stack<Sleeper> _idle = new();
    private readonly Lock _gate = new();
    private readonly Thread[] _threads;
    private bool _disposed;

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
        t_owner = this;
        var sleeper = new Sleeper();
        while (true)
        {
            Task? next;
            lock (_gate)
            {
                if (!_queue.TryDequeue(out next))
                {
                    if (_disposed)
                        return;
                    _idle.Push(sleeper);
                }
            }
            if (next is null)
                sleeper.Sleep();
            else
                TryExecuteTask(next);
        }
    }

    protected override void QueueTask(Task task)
    {
        Sleeper? wake;
        lock (_gate)
        {
            _queue.Enqueue(task);
            _idle.TryPop(out wake);
        }
        wake?.Wake();
    }

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        t_owner == this && TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks()
    {
        lock (_gate)
            return _queue.ToArray();
    }

    /// <summary>Lets the threads finish what is queued and end.</summary>
    public void Dispose()
    {
        Sleeper[] sleeping;
        lock (_gate)
        {
            _disposed = true;
            sleeping = _idle.ToArray();
            _idle.Clear();
        }
        foreach (var sleeper in sleeping)
            sleeper.Wake();
    }

    /// <summary>One idle thread's bed: no spinning before it blocks.</summary>
    private sealed class Sleeper
    {
        private readonly ManualResetEventSlim _signal = new(initialState: false, spinCount: 0);

        public void Sleep()
        {
            _signal.Wait();
            _signal.Reset();
        }

        public void Wake() => _signal.Set();
    }
}
