using System.Net;
using Gateway.Core.Configuration;
using Gateway.Core.Queueing;
using Gateway.Core.Redis;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Reliability;

/// <summary>
/// A completion may claim the circle's next pending task for the slot it frees, in the same
/// script: leased and fenced as a claim's, never for a fenced worker, and never at the cost of
/// another circle's turn.
/// </summary>
[TestFixture]
public sealed class CompleteAndClaimTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private readonly TaskQueue _queue = new(TestRedis.Connection, TimeProvider.System, Options.Create(new TaskOptions()));
    private readonly TaskReader _reader = new(TestRedis.Connection);

    private static TaskOutcome Done(string result) => new(TaskState.Completed, result, null, "", 1);

    [Test]
    public async Task ACompletion_ClaimsTheHighestPriorityPendingTask_LeasedToTheWorker()
    {
        var circle = TestRedis.NewCircle("chain");
        var first = (await _queue.SubmitAsync(circle, [new NewTask("1", "null", 1000)]))[0];
        var low = (await _queue.SubmitAsync(circle, [new NewTask("2", "null", 1000)]))[0];
        var high = (await _queue.SubmitAsync(circle, [new NewTask("3", "{\"x\":1}", 2000) { Priority = 7 }]))[0];
        var running = (await _queue.ClaimAsync(circle, "w1", 1, Lease)).Single();
        Assert.That(running.Id, Is.EqualTo(high.Id), "the claim takes the highest lane first");

        var completed = await _queue.CompleteAsync(running, Done("3"), new DirectSlots("w2", 1, Lease));

        Assert.That(completed.Written, Is.True);
        Assert.That(completed.TakenHere, Has.Count.EqualTo(1));
        var next = completed.TakenHere[0];
        Assert.That((next.Id, next.Script, next.Attempt, next.Record.WorkerId), Is.EqualTo((first.Id, "1", 1, "w2")));
        var stored = (await _reader.GetAsync(circle, next.Id))!;
        Assert.That((stored.Status, stored.WorkerId, stored.Attempts), Is.EqualTo((TaskState.Processing, "w2", 1)));
        var db = TestRedis.Connection.GetDatabase();
        Assert.That(await db.SortedSetScoreAsync(RedisKeys.Processing(circle), next.Id), Is.Not.Null, "leased, so a crash is reaped");
        Assert.That(await _queue.RenewAsync(next, Lease), Is.EqualTo(LeaseState.Held), "its lease token fences it as a claim's does");
        Assert.That((await _queue.CompleteAsync(next with { LeaseToken = "stale" }, Done("0"))).Written, Is.False);

        Assert.That((await _queue.CompleteAsync(next, Done("1"))).TakenHere, Is.Empty, "not asked, not claimed");
        var last = await _queue.ClaimAsync(circle, "w1", 5, Lease);
        Assert.That(last.Select(t => t.Id), Is.EqualTo(new[] { low.Id }), "each task is claimed once");
        Assert.That((await _reader.GetAsync(circle, running.Id))!.ResultJson, Is.EqualTo("3"));
    }

    [Test]
    public async Task OnAnEmptyQueue_ACompletionClaimsNothing()
    {
        var circle = TestRedis.NewCircle("chain-empty");
        await _queue.SubmitAsync(circle, [new NewTask("1", "null", 1000)]);
        var running = (await _queue.ClaimAsync(circle, "w1", 1, Lease)).Single();

        var completed = await _queue.CompleteAsync(running, Done("1"), new DirectSlots("w1", 1, Lease));

        Assert.That(completed.Written, Is.True);
        Assert.That(completed.TakenHere, Is.Empty);
        Assert.That((await _reader.GetAsync(circle, running.Id))!.Status, Is.EqualTo(TaskState.Completed));
    }

    [Test]
    public async Task AFencedCompletion_ClaimsNothing_AndTheQueueKeepsItsTask()
    {
        var circle = TestRedis.NewCircle("chain-fenced");
        await _queue.SubmitAsync(circle, [new NewTask("1", "null", 1000)]);
        var waiting = (await _queue.SubmitAsync(circle, [new NewTask("2", "null", 1000)]))[0];
        var running = (await _queue.ClaimAsync(circle, "w1", 1, Lease)).Single();

        var completed = await _queue.CompleteAsync(running with { LeaseToken = "taken-over" }, Done("1"), new DirectSlots("w1", 1, Lease));

        Assert.That(completed.Written, Is.False);
        Assert.That(completed.TakenHere, Is.Empty);
        Assert.That((await _reader.GetAsync(circle, waiting.Id))!.Status, Is.EqualTo(TaskState.Pending));
        Assert.That((await _queue.ClaimAsync(circle, "w2", 5, Lease)).Select(t => t.Id), Is.EqualTo(new[] { waiting.Id }));
    }

    [Test]
    public async Task AFailureThatIsRetried_StillClaimsTheNext()
    {
        var circle = TestRedis.NewCircle("chain-retry");
        await _queue.SubmitAsync(circle, [new NewTask("1", "null", 1000) { Retry = new RetryPolicy(1, 60_000, 1) }]);
        var waiting = (await _queue.SubmitAsync(circle, [new NewTask("2", "null", 1000)]))[0];
        var running = (await _queue.ClaimAsync(circle, "w1", 1, Lease)).Single();

        var failed = new TaskOutcome(TaskState.Failed, null, new TaskError(ErrorCodes.ScriptError, "boom"), "", 1);
        var completed = await _queue.CompleteAsync(running, failed, new DirectSlots("w1", 1, Lease));

        Assert.That(completed.RetryAt, Is.Not.Null);
        Assert.That(completed.TakenHere.Select(t => t.Id), Is.EqualTo(new[] { waiting.Id }));
        Assert.That((await _reader.GetAsync(circle, running.Id))!.Status, Is.EqualTo(TaskState.Scheduled));
    }

    [Test]
    public async Task ABusyCircle_DoesNotKeepItsSlotsFromAnotherCircle()
    {
        // One slot, a queue of slow tasks in one circle, then one task in another: completions of
        // the busy circle must stop claiming its next tasks once the other circle has work.
        var busy = TestRedis.NewCircle("busy");
        var quiet = TestRedis.NewCircle("quiet");
        await using var factory = new GatewayFactory(new Dictionary<string, string?>
        {
            ["Gateway:Workers:Concurrency"] = "1",
            ["Gateway:Workers:Circles:0"] = busy,
            ["Gateway:Workers:Circles:1"] = quiet,
        });
        using var client = factory.CreateClient();
        const int queued = 40;
        var ids = new List<string>();
        for (var i = 0; i < queued; i++)
        {
            var submitted = await client.SubmitAsync(busy, new { script = "const e = Date.now() + 50; while (Date.now() < e) {} 1" });
            Assert.That(submitted.Status, Is.EqualTo(HttpStatusCode.Accepted), submitted.ToString());
            ids.Add(submitted.Id);
        }
        await client.WaitForStatusAsync(busy, ids[1], "completed", TimeSpan.FromSeconds(60));

        var other = await client.SubmitAsync(quiet, new { script = "'quiet ran'" });
        var done = await client.GetTaskAsync(quiet, other.Id, wait: 60);

        Assert.That(done.TaskStatus, Is.EqualTo("completed"), done.ToString());
        var stillWaiting = 0;
        foreach (var id in ids)
        {
            if ((await client.GetTaskAsync(busy, id)).TaskStatus == "pending")
                stillWaiting++;
        }
        // Round-robin gives the quiet circle the slot after at most a few of the busy circle's
        // tasks, however slow the machine; claiming the next with every completion would have run
        // all forty first.
        Assert.That(stillWaiting, Is.GreaterThanOrEqualTo(queued / 2), $"the quiet circle's task waited for {queued - stillWaiting} of the busy circle's");
    }
}
