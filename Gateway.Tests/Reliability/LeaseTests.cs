using Gateway.Core.Configuration;
using Gateway.Core.Redis;
using Gateway.Core.Queueing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

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
    public async Task LeaseExpiringOnEveryAttempt_EndsFailedWithLost()
    {
        var circle = TestRedis.NewCircle("lost");
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
}
