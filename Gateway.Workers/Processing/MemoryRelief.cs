namespace Gateway.Workers.Processing;

/// <summary>
/// A script stopped by its memory budget leaves what it held as garbage (up to about twice the
/// budget, per slot: docs/SANDBOX.md); the GC would keep the heap it grew to. After such a run the heap is compacted and given back to
/// the system — at most once per interval, since a full blocking collection pauses the process.
/// </summary>
internal sealed class MemoryRelief(TimeProvider time)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private long _last;

    public void After(TaskOutcome outcome)
    {
        if (outcome.Error?.Code != ErrorCodes.MemoryLimit)
            return;
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _last);
        if (last != 0 && time.GetElapsedTime(last, now) < Interval)
            return;
        if (Interlocked.CompareExchange(ref _last, now, last) != last)
            return;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
