using Jint;
using Jint.Constraints;
using Jint.Runtime;

namespace Gateway.Scripting.Sandbox;

/// <summary>
/// The memory budget of a run bounds what the script <em>holds</em>, not what it allocates.
/// </summary>
/// <remarks>
/// <para>
/// Jint's <see cref="MemoryLimitConstraint"/> counts every byte the thread allocates, garbage
/// included, so a busy-wait on <c>Date.now()</c> dies within seconds holding nothing. Here the
/// thread's allocation counter (read before every statement, as Jint's is) only decides
/// <em>when</em> to measure: what a script holds can grow by no more than it allocates, so after
/// a measure that found <c>held</c> bytes, the next one is due once the script has allocated
/// <c>budget − held</c> more (at least a quarter budget). A measure walks what the engine keeps
/// reachable (<see cref="RetainedSize"/>) and fails the run with <c>memory_limit</c> if it is
/// over the budget.
/// </para>
/// <para>
/// Jint's constraint stays registered right after this one, re-armed at every measure: it charges
/// long string concatenations that defer their copy (no allocation counter sees those), and so
/// refuses a single string larger than the budget. When it alone would fail the run, this
/// constraint measures instead.
/// </para>
/// <para>
/// The same counter paces the run's deadline. Jint checks <see cref="OperationDeadlineConstraint"/>
/// only every few dozen statements, which bounds how late a timeout is noticed only while
/// statements are cheap; one that calls a built-in on a large value is not (a global regex
/// replace over 4 million characters: 80 ms), and a loop of them overran a 3 s budget by 2 s.
/// What such a statement costs shows in what it allocated, so after a statement that allocated
/// more than <see cref="HeavyStatementBytes"/> the deadline is checked at once.
/// </para>
/// </remarks>
internal sealed class RetainedMemoryConstraint(long memoryBytes) : Constraint
{
    /// <summary>Allocated by one statement, the mark of one slow enough to check the deadline after (a millisecond or more of work).</summary>
    public const long HeavyStatementBytes = 1 << 20;

    private Engine? _engine;
    private MemoryLimitConstraint? _allocations;
    private OperationDeadlineConstraint? _deadline;
    private long _usedAtLastCheck;
    private int _thread;
    private long _counterAtStart;
    private long _usedOnThread;
    private long _usedBefore;
    private long _nextMeasure;

    public long MemoryBytes => memoryBytes;

    /// <summary>How many times the script was measured; for tests and benchmarks.</summary>
    public int Measures { get; private set; }

    /// <summary>What the last measure found, in bytes.</summary>
    public long LastRetainedBytes { get; private set; }

    /// <summary>Ties the constraint to its engine: the engine is the root of what the script holds.</summary>
    public void Bind(Engine engine)
    {
        _engine = engine;
        _allocations = engine.Constraints.Find<MemoryLimitConstraint>()
            ?? throw new InvalidOperationException("The retained-memory check needs Jint's allocation limit beside it.");
        _deadline = engine.Constraints.Find<OperationDeadlineConstraint>();
        Rearm(memoryBytes);
    }

    public override void Check()
    {
        if (_allocations is null)
            return;
        if (Environment.CurrentManagedThreadId != _thread)
        {
            // A continuation on another thread: what was allocated on the last one still counts.
            _usedBefore += _usedOnThread;
            _thread = Environment.CurrentManagedThreadId;
            _counterAtStart = GC.GetAllocatedBytesForCurrentThread();
        }
        _usedOnThread = GC.GetAllocatedBytesForCurrentThread() - _counterAtStart;
        var used = _usedBefore + _usedOnThread;
        if (used - _usedAtLastCheck > HeavyStatementBytes)
            _deadline?.Check();
        _usedAtLastCheck = used;
        if (used > _nextMeasure)
        {
            Measure();
            return;
        }
        try
        {
            // Jint's counter also charges long concatenations that defer their copy; those only
            // it sees, so when it would fail the run, measure instead.
            _allocations.Check();
        }
        catch (MemoryLimitExceededException)
        {
            Measure();
        }
    }

    private void Measure()
    {
        Measures++;
        var held = RetainedSize.Measure(_engine!, memoryBytes);
        LastRetainedBytes = held;
        if (held > memoryBytes)
            throw new MemoryLimitExceededException($"The script holds more than {memoryBytes} bytes of memory, its limit.");
        if (MemoryPressure.IsHigh())
            throw new MemoryLimitExceededException("The worker is short of memory; the script allocated its budget while it was.");
        // What it holds can grow by no more than it allocates: measure again once it may have
        // reached the budget, but not more often than every quarter budget (a walk costs about
        // what allocating the memory it walks costs).
        Rearm(Math.Max(memoryBytes - held, memoryBytes / 4));
    }

    /// <summary>The next measure after <paramref name="allocation"/> more bytes, counted from here (the measure's own garbage is not the script's).</summary>
    private void Rearm(long allocation)
    {
        _thread = Environment.CurrentManagedThreadId;
        _counterAtStart = GC.GetAllocatedBytesForCurrentThread();
        _usedOnThread = 0;
        _usedBefore = 0;
        _usedAtLastCheck = 0;
        _nextMeasure = allocation;
        _allocations!.Reset();
    }

    /// <summary>Nothing to reset per entry: the counters are re-armed by the measures.</summary>
    public override void Reset()
    {
    }
}

/// <summary>
/// A backstop for memory no walk of an engine can see — a built-in's partial result, still only
/// on the CLR stack while a callback runs. When the heap left after the last collection is most
/// of what the GC may use, a full collection tells whether it is real; if it is, the run that
/// asked fails rather than the whole process.
/// </summary>
internal static class MemoryPressure
{
    private const double HighShare = 0.8;

    public static bool IsHigh()
    {
        var info = GC.GetGCMemoryInfo();
        var available = info.TotalAvailableMemoryBytes;
        if (available <= 0 || info.HeapSizeBytes < available * HighShare)
            return false;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
        return GC.GetTotalMemory(forceFullCollection: false) >= available * HighShare;
    }
}
