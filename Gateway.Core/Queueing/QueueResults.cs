namespace Gateway.Core.Queueing;

/// <summary>
/// What a submit did: the tasks it stored (with those the submitting process's worker took, in
/// <see cref="TakenHere"/>, to start now), or the task an earlier submit with the same
/// idempotency key stored, or nothing because the circle's queue was full.
/// </summary>
public sealed record SubmitResult(IReadOnlyList<TaskRecord> Tasks)
{
    public IReadOnlyList<ClaimedTask> TakenHere { get; init; } = [];

    /// <summary>Nothing was stored: the idempotency key was used before, for this task and body.</summary>
    public IdempotencyRecord? Existing { get; init; }

    public bool QuotaExceeded { get; init; }

    /// <summary>
    /// Nothing was stored: the tasks at these places of the request re-run a task that has been
    /// re-run already (only when the submit asked for each to be re-run once).
    /// </summary>
    public IReadOnlyList<int> ReRunAlready { get; init; } = [];
}

/// <summary>An idempotency key (as the caller sent it), a fingerprint of the request body, and how long the key holds.</summary>
public sealed record Idempotency(string Key, string Fingerprint, TimeSpan Lifetime);

/// <summary>What an idempotency key holds in Redis: the task its first submit stored, and that request's fingerprint.</summary>
public sealed record IdempotencyRecord(string TaskId, string Fingerprint)
{
    /// <summary>The stored form, <c>id|fingerprint</c> (submit.lua stores it as given).</summary>
    public override string ToString() => $"{TaskId}|{Fingerprint}";

    public static IdempotencyRecord Parse(string stored)
    {
        var bar = stored.IndexOf('|', StringComparison.Ordinal);
        return bar < 0
            ? throw new FormatException($"An idempotency record is 'id|fingerprint', not '{stored}'.")
            : new IdempotencyRecord(stored[..bar], stored[(bar + 1)..]);
    }
}

/// <summary>
/// Free slots of this process's worker that tasks may take in the same script that makes them
/// free or pending: a submit's new tasks, skipping the queue, or the circle's next tasks after a
/// completion.
/// </summary>
public sealed record DirectSlots(string WorkerId, int Count, TimeSpan Lease);

/// <summary>What a lease renewal found; the values are renew.lua's reply codes.</summary>
public enum LeaseState
{
    Lost = -1,
    Held = 0,
    CancelRequested = 1,
}

public enum CancelResult
{
    Cancelled,
    Stopping,
    Missing,
    AlreadyFinished,
}

/// <summary>What a reap of a circle did.</summary>
public sealed record ReapResult(int Requeued, int Lost);

/// <summary>Queue figures of a circle.</summary>
public sealed record CircleStats(string Name, long Pending, long Processing, long Recent, long Scheduled = 0, bool Paused = false)
{
    /// <summary>Failed tasks within retention (the circle's index of failures).</summary>
    public long Failed { get; init; }
}

/// <summary>What a completion wrote: the outcome, nothing (fenced off), or a retry scheduled for <see cref="RetryAt"/>.</summary>
public sealed record CompleteResult(bool Written, DateTimeOffset? RetryAt = null)
{
    /// <summary>The finished task as a read would return it now, when the outcome was written and the record is small enough to carry on its message.</summary>
    public TaskRecord? Record { get; init; }

    /// <summary>The circle's next pending tasks, claimed for the freed slots in the same round trip (<see cref="DirectSlots"/>), to start now.</summary>
    public IReadOnlyList<ClaimedTask> TakenHere { get; init; } = [];

    public static readonly CompleteResult Fenced = new(false);
    public static readonly CompleteResult Finished = new(true);
}

/// <summary>What a promotion of due tasks did: how many became pending, and when the next one is due (null: none).</summary>
public sealed record PromoteResult(int Moved, DateTimeOffset? NextDue, long Scheduled)
{
    /// <summary>The earliest due time among the tasks moved: how late the move was for the latest of them.</summary>
    public DateTimeOffset? EarliestMoved { get; init; }
}

/// <summary>A stored task's status and what it takes to submit it again.</summary>
public sealed record TaskDefinition(TaskState Status, NewTask Task);

/// <summary>What a task was submitted with: its script, args (JSON text) and the W3C traceparent of the submit.</summary>
public sealed record TaskSource(string Script, string ArgsJson, string? TraceParent);

/// <summary>
/// The attempts of one claim or completion that its caller sends again when the answer is lost (a
/// timeout, a dropped connection). A lost answer does not say whether the call ran, so each
/// attempt tells the script what was sent before it: a repeated claim takes back the tasks an
/// earlier attempt leased, and a repeated completion recognises the outcome an earlier attempt
/// wrote, instead of leaving tasks leased to nobody until the reaper and calling the write
/// fenced. One per call, used by one caller at a time.
/// </summary>
public sealed class CallAttempts
{
    /// <summary>The first attempt that claimed, kept apart, so that a call answered at once allocates no list.</summary>
    private LeaseAttempt? _firstLease;

    /// <summary>Once the call is repeated: the attempts that claimed, within a lease of now.</summary>
    private List<LeaseAttempt>? _leases;

    /// <summary>How many attempts were sent.</summary>
    public int Sent { get; private set; }

    /// <summary>When the first attempt was sent (Unix ms); a completion's finished time, whichever attempt writes it.</summary>
    internal long FirstSentMs { get; private set; }

    /// <summary>
    /// Counts one more attempt, sent at <paramref name="nowMs"/>, leasing for <paramref name="leaseMs"/>
    /// with <paramref name="stem"/> when it claims; returns the attempts before it that claimed
    /// and whose leases have not run out (those that have are the reaper's to give back).
    /// </summary>
    internal IReadOnlyList<LeaseAttempt> Next(long nowMs, string? stem, long leaseMs)
    {
        if (Sent++ == 0)
            FirstSentMs = nowMs;
        IReadOnlyList<LeaseAttempt> before = [];
        if (_firstLease is { } first)
        {
            _leases ??= [first];
            _leases.RemoveAll(attempt => attempt.SentMs + leaseMs < nowMs);
            before = [.. _leases];
        }
        if (stem is not null)
        {
            var attempt = new LeaseAttempt(nowMs, stem);
            if (_leases is not null)
                _leases.Add(attempt);
            else
                _firstLease = attempt;
        }
        return before;
    }
}

/// <summary>An attempt of a claim: when it was sent (its leases run from then) and its lease tokens' stem.</summary>
public readonly record struct LeaseAttempt(long SentMs, string Stem);
