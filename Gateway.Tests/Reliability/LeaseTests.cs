using Gateway.Core.Configuration;
using Gateway.Core.Redis;
using Gateway.Core.Queueing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using System.Diagnostics.Metrics;
using Gateway.Core.Telemetry;

namespace Gateway.Tests.Reliability;

/// <summary>The lease protocol, driven directly through the queue against the test Redis, on a fake clock.</summary>
[TestFixture]
public sealed class LeaseTests
{
    // The queue's clock, not the wall's, decides when a lease has run out: the tests move it on.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly TaskQueue _store;
    private readonly TaskReader _reader = new(TestRedis.Connection);

    public LeaseTests() => _store = new(TestRedis.Connection, _time, Options.Create(new TaskOptions()));

    private static TaskOutcome Outcome(string result) => new(TaskState.Completed, result, null, "", 1);

    [Test]
    public async Task ZombieComplete_AfterTheLeaseWasTakenOver_DoesNotOverwriteTheRerunsResult()
    {
        var circle = TestRedis.NewCircle("zombie");
        var submitted = (await _store.SubmitAsync(circle, [new NewTask("1", "null", 1000)]))[0];
        var zombie = (await _store.ClaimAsync(circle, "worker-a", 1, TimeSpan.FromMilliseconds(50)))[0];
        _time.Advance(TimeSpan.FromMilliseconds(100));

        var (requeued, lost) = await _store.ReapAsync(circle, maxAttempts: 3);
        Assert.That((requeued, lost), Is.EqualTo((1, 0)));
        var rerun = (await _store.ClaimAsync(circle, "worker-b", 1, TimeSpan.FromSeconds(30)))[0];
        Assert.That(rerun.Attempt, Is.EqualTo(2));

        Assert.That((await _store.CompleteAsync(rerun, Outcome("\"second\""))).Written, Is.True);
        Assert.That((await _store.CompleteAsync(zombie, Outcome("\"zombie\""))).Written, Is.False, "the zombie's write is fenced off");

        var task = await _reader.GetAsync(circle, submitted.Id);
        Assert.That(task!.ResultJson, Is.EqualTo("\"second\""));
        Assert.That(task.WorkerId, Is.EqualTo("worker-b"));
    }

    [Test]
    public async Task ZombieComplete_BeforeTheRerunFinishes_IsFencedToo()
    {
        var circle = TestRedis.NewCircle("zombie");
        var submitted = (await _store.SubmitAsync(circle, [new NewTask("1", "null", 1000)]))[0];
        var zombie = (await _store.ClaimAsync(circle, "worker-a", 1, TimeSpan.FromMilliseconds(50)))[0];
        _time.Advance(TimeSpan.FromMilliseconds(100));
        await _store.ReapAsync(circle, maxAttempts: 3);
        var rerun = (await _store.ClaimAsync(circle, "worker-b", 1, TimeSpan.FromSeconds(30)))[0];

        Assert.That((await _store.CompleteAsync(zombie, Outcome("\"zombie\""))).Written, Is.False);
        Assert.That((await _reader.GetAsync(circle, submitted.Id))!.Status, Is.EqualTo(TaskState.Processing));
        Assert.That(await _store.RenewAsync(zombie, TimeSpan.FromSeconds(30)), Is.EqualTo(LeaseState.Lost));
        Assert.That(await _store.RenewAsync(rerun, TimeSpan.FromSeconds(30)), Is.EqualTo(LeaseState.Held));
    }

    [Test]
    public async Task LeaseExpiringOnEveryAttempt_EndsFailedWithLost_CountedAsFinishedFailed()
    {
        var circle = TestRedis.NewCircle("lost");
        var finished = new System.Collections.Concurrent.ConcurrentQueue<(string? Status, long Count)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GatewayMetrics.Name && instrument.Name == "gateway.tasks.finished")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var named = tags.ToArray().ToDictionary(t => t.Key, t => t.Value as string);
            if (named.GetValueOrDefault("circle") == circle)
                finished.Enqueue((named.GetValueOrDefault("status"), value));
        });
        listener.Start();
        var submitted = (await _store.SubmitAsync(circle, [new NewTask("1", "null", 1000)]))[0];
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var claimed = (await _store.ClaimAsync(circle, "dies", 1, TimeSpan.FromMilliseconds(1)))[0];
            Assert.That(claimed.Attempt, Is.EqualTo(attempt));
            _time.Advance(TimeSpan.FromMilliseconds(20));
            await _store.ReapAsync(circle, maxAttempts: 2);
        }

        var task = await _reader.GetAsync(circle, submitted.Id);
        Assert.That(task!.Status, Is.EqualTo(TaskState.Failed));
        Assert.That(task.Error!.Code, Is.EqualTo(ErrorCodes.Lost));
        Assert.That(task.Attempts, Is.EqualTo(2));
        Assert.That(await TestRedis.Connection.GetDatabase().SortedSetLengthAsync(RedisKeys.Processing(circle)), Is.Zero);
        Assert.That(finished, Is.EqualTo(new[] { ((string?)TaskStates.Failed, 1L) }), "the reaper counts the task it failed");
    }

    [Test]
    public async Task Failures_OfARunAndOfALostLease_AreIndexed_UntilTheReaperTrimsThemWithTheCircleIndex()
    {
        var circle = TestRedis.NewCircle("failed");
        var submitted = await _store.SubmitAsync(circle, [new NewTask("1", "null", 1000), new NewTask("2", "null", 1000), new NewTask("3", "null", 1000)]);
        var claimed = await _store.ClaimAsync(circle, "w", 3, TimeSpan.FromMilliseconds(1));
        await _store.CompleteAsync(claimed[0], new TaskOutcome(TaskState.Failed, null, new TaskError(ErrorCodes.ScriptError, "no"), "", 1));
        await _store.CompleteAsync(claimed[1], Outcome("2"));
        _time.Advance(TimeSpan.FromMilliseconds(20));
        await _store.ReapAsync(circle, maxAttempts: 1); // the third's lease ran out on its only attempt

        var listed = await _reader.ListAsync(circle, TaskState.Failed, 10);
        var before = await _reader.GetCircleAsync(circle);
        _time.Advance(TimeSpan.FromHours(25)); // past the default retention of 24 h
        await _store.ReapAsync(circle, maxAttempts: 1);
        var after = await _reader.GetCircleAsync(circle);

        Assert.That(listed.Tasks.Select(t => (t.Id, t.Error!.Code)), Is.EquivalentTo(new[] { (submitted[2].Id, ErrorCodes.Lost), (submitted[0].Id, ErrorCodes.ScriptError) }));
        Assert.That(listed.Next, Is.Null);
        Assert.That((before.Failed, before.Recent), Is.EqualTo((2, 3)));
        Assert.That((after.Failed, after.Recent), Is.EqualTo((0, 0)), "trimmed with the circle's index");
    }

    [Test]
    public async Task AFailure_StaysIndexedForTheRetentionAfterItFailed_HoweverLongAgoItsTaskWasCreated()
    {
        // A task delayed by two days, past the default retention of 24 h, fails when it runs.
        var circle = TestRedis.NewCircle("failed");
        var delayed = (await _store.SubmitAsync(circle, [new NewTask("1", "null", 1000) { RunAt = _time.GetUtcNow().AddDays(2) }]))[0];
        _time.Advance(TimeSpan.FromDays(2));
        await _store.PromoteAsync(circle);
        var claimed = (await _store.ClaimAsync(circle, "w", 1, TimeSpan.FromSeconds(30))).Single();
        await _store.CompleteAsync(claimed, new TaskOutcome(TaskState.Failed, null, new TaskError(ErrorCodes.ScriptError, "no"), "", 1));

        await _store.ReapAsync(circle, maxAttempts: 1);
        var justFailed = await _reader.ListAsync(circle, TaskState.Failed, 10);
        _time.Advance(TimeSpan.FromHours(23));
        await _store.ReapAsync(circle, maxAttempts: 1);
        var aDayOn = await _reader.GetCircleAsync(circle);
        _time.Advance(TimeSpan.FromHours(2));
        await _store.ReapAsync(circle, maxAttempts: 1);
        var pastRetention = await _reader.GetCircleAsync(circle);

        Assert.That(claimed.Id, Is.EqualTo(delayed.Id));
        Assert.That(justFailed.Tasks.Select(t => t.Id), Is.EqualTo(new[] { delayed.Id }), "listed as it failed, two days after it was created");
        Assert.That(aDayOn.Failed, Is.EqualTo(1), "23 h after it failed: still within the retention");
        Assert.That(pastRetention.Failed, Is.Zero, "25 h after it failed");
    }

    [Test]
    public async Task FailuresAStoreOfAnEarlierVersionHolds_AreIndexedByTheWalk_OnceAndInRunsOfAnySize()
    {
        var circle = TestRedis.NewCircle("earlier");
        var db = TestRedis.Connection.GetDatabase();
        var failed = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var id = (await _store.SubmitAsync(circle, [new NewTask($"{i}", "null", 1000)]))[0].Id;
            var claimed = (await _store.ClaimAsync(circle, "w", 1, TimeSpan.FromSeconds(30)))[0];
            var error = new TaskError(ErrorCodes.ScriptError, "no");
            await _store.CompleteAsync(claimed, i % 3 == 0 ? Outcome("1") : new TaskOutcome(TaskState.Failed, null, error, "", 1));
            if (i % 3 != 0)
                failed.Add(id);
            _time.Advance(TimeSpan.FromMilliseconds(i % 2)); // some share a created time, some do not
        }
        // As an earlier version leaves the store: the failures, but no index of them.
        await db.KeyDeleteAsync([RedisKeys.Failed(circle), RedisKeys.FailedIndexed(circle)]);

        var firstCall = await _store.IndexEarlierFailuresAsync(circle, runs: 2, most: 2);
        var partly = await db.SortedSetLengthAsync(RedisKeys.Failed(circle));
        var secondCall = await _store.IndexEarlierFailuresAsync(circle, runs: 10, most: 2);
        var listed = await _reader.ListAsync(circle, TaskState.Failed, 10);

        Assert.That(firstCall, Is.False, "two runs of two read four of seven entries");
        Assert.That(partly, Is.InRange(1, 3));
        Assert.That(secondCall, Is.True);
        Assert.That(listed.Tasks.Select(t => t.Id), Is.EquivalentTo(failed));
        Assert.That((string?)await db.StringGetAsync(RedisKeys.FailedIndexed(circle)), Is.EqualTo("done"));
        Assert.That(await _store.IndexEarlierFailuresAsync(circle, runs: 1, most: 1), Is.True, "done is done");
    }

    [Test]
    public async Task Requeue_PutsTheTaskFirstInLine_WithoutCountingTheAttempt()
    {
        var circle = TestRedis.NewCircle("requeue");
        var first = (await _store.SubmitAsync(circle, [new NewTask("1", "null", 1000)]))[0];
        var claimed = (await _store.ClaimAsync(circle, "stopping", 1, TimeSpan.FromSeconds(30)))[0];
        var second = (await _store.SubmitAsync(circle, [new NewTask("2", "null", 1000)]))[0];

        Assert.That(await _store.RequeueAsync(claimed), Is.True);

        var next = (await _store.ClaimAsync(circle, "other", 1, TimeSpan.FromSeconds(30)))[0];
        Assert.That(next.Id, Is.EqualTo(first.Id), "given back at the front, before the later task");
        Assert.That(next.Attempt, Is.EqualTo(1), "a shutdown does not count as an attempt");
        Assert.That(second.Id, Is.Not.EqualTo(next.Id));
    }

    // A claim or completion whose answer was lost is sent again with the same CallAttempts (the
    // worker's retry); the first call's reply is dropped here as a timeout drops it.

    [Test]
    public async Task RepeatedClaim_TakesBackWhatTheLostOneLeased_LeasedAnew_AndClaimsOnlyTheRest()
    {
        var circle = TestRedis.NewCircle("repeat-claim");
        var submitted = await _store.SubmitAsync(circle, [new NewTask("1", "null", 1000), new NewTask("2", "null", 1000), new NewTask("3", "null", 1000)]);
        var lease = TimeSpan.FromSeconds(30);
        var attempts = new CallAttempts();
        var lost = await _store.ClaimAsync(circle, "worker-a", 1, lease, attempts);
        _time.Advance(TimeSpan.FromSeconds(20));

        var repeat = await _store.ClaimAsync(circle, "worker-a", 2, lease, attempts);

        Assert.That(repeat.Select(t => (t.Id, t.Attempt)), Is.EqualTo(new[] { (submitted[0].Id, 1), (submitted[1].Id, 1) }),
            "the task the lost claim leased, then one more for the second slot; the third stays queued");
        Assert.That(repeat[0].LeaseToken, Is.Not.EqualTo(lost[0].LeaseToken));
        Assert.That(repeat[0].Record.StartedAt, Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds())));
        Assert.That((await _reader.GetAsync(circle, submitted[2].Id))!.Status, Is.EqualTo(TaskState.Pending));

        // Past the lost claim's lease, within the repeat's: the task is not handed out again.
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.That(await _store.ReapAsync(circle, maxAttempts: 3), Is.EqualTo(new ReapResult(0, 0)));
        Assert.That(await _store.RenewAsync(lost[0], lease), Is.EqualTo(LeaseState.Lost), "the lost claim's token no longer holds it");
        Assert.That(await _store.RenewAsync(repeat[0], lease), Is.EqualTo(LeaseState.Held));
    }

    [Test]
    public async Task RepeatedCompletion_AnswersAsTheLostOneWrote_AndReturnsTheTaskItClaimed_EvenWhenFencedSince()
    {
        var circle = TestRedis.NewCircle("repeat-complete");
        var submitted = await _store.SubmitAsync(circle,
            [new NewTask("1", "null", 1000) { Retry = new RetryPolicy(2, 1000, 1) }, new NewTask("2", "null", 1000)]);
        var lease = TimeSpan.FromSeconds(30);
        var run = (await _store.ClaimAsync(circle, "worker-a", 1, lease))[0];
        var failed = new TaskOutcome(TaskState.Failed, null, new TaskError(ErrorCodes.ScriptError, "boom"), "", 1);
        var freed = new DirectSlots("worker-a", 1, lease);
        var attempts = new CallAttempts();

        var lost = await _store.CompleteAsync(run, failed, freed, attempts);
        Assert.That(lost.RetryAt, Is.Not.Null, "the failure scheduled a retry");
        Assert.That(lost.TakenHere.Select(t => t.Id), Is.EqualTo(new[] { submitted[1].Id }), "and claimed the next task for the slot");

        var repeat = await _store.CompleteAsync(run, failed, freed, attempts);
        Assert.That(repeat.Written, Is.True, "the repeat knows the write was its own");
        Assert.That(repeat.RetryAt, Is.EqualTo(lost.RetryAt));
        Assert.That(repeat.TakenHere.Select(t => (t.Id, t.Attempt)), Is.EqualTo(new[] { (submitted[1].Id, 1) }));
        Assert.That((int)await TestRedis.Connection.GetDatabase().HashGetAsync(RedisKeys.Task(circle, submitted[0].Id), TaskHash.Retried), Is.EqualTo(1),
            "the retry was scheduled once");

        // The retry comes due, and then another worker claims it: a further repeat is fenced, yet still
        // returns the task the lost completion claimed, rather than leaving it to the reaper.
        _time.Advance(TimeSpan.FromSeconds(2));
        await _store.PromoteAsync(circle);
        var promoted = await _store.CompleteAsync(run, failed, freed, attempts);
        Assert.That((promoted.Written, promoted.RetryAt), Is.EqualTo((true, lost.RetryAt)),
            "the retry's due time, though the promotion took it off the task");
        var elsewhere = await _store.ClaimAsync(circle, "worker-b", 1, lease);
        Assert.That(elsewhere.Select(t => (t.Id, t.Attempt)), Is.EqualTo(new[] { (submitted[0].Id, 2) }));
        var fenced = await _store.CompleteAsync(run, failed, freed, attempts);
        Assert.That(fenced.Written, Is.False);
        Assert.That(fenced.TakenHere.Select(t => (t.Id, t.Attempt)), Is.EqualTo(new[] { (submitted[1].Id, 1) }));
        Assert.That(await _store.RenewAsync(fenced.TakenHere[0], lease), Is.EqualTo(LeaseState.Held));
        Assert.That(await _store.RenewAsync(elsewhere[0], lease), Is.EqualTo(LeaseState.Held), "the other worker's run is untouched");
    }
}
