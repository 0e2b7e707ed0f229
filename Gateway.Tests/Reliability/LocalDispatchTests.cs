using System.Net;
using Gateway.Core.Configuration;
using Gateway.Core.Redis;
using Gateway.Core.Queueing;
using Gateway.Tests.Infrastructure;
using Gateway.Workers.Dispatch;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Tests.Reliability;

/// <summary>
/// A submit that waits may hand its task straight to a free worker slot of its own process:
/// claimed in the submit's script, never queued. Driven through the submitter and the queue against the test Redis.
/// </summary>
[TestFixture]
public sealed class LocalDispatchTests
{
    private readonly TaskQueue _queue = new(TestRedis.Connection, TimeProvider.System, Options.Create(new TaskOptions()));
    private readonly TaskReader _reader = new(TestRedis.Connection);
    private FakeWorker _worker = null!;
    private TaskSubmitter _submitter = null!;

    [SetUp]
    public void SetUp()
    {
        _worker = new FakeWorker();
        _submitter = new TaskSubmitter(_queue, _worker);
    }

    [Test]
    public async Task IntoAnEmptyQueue_TheTaskIsClaimedForThisProcess_AndCompletesFencedByItsLease()
    {
        var circle = TestRedis.NewCircle("direct");
        var result = await _submitter.SubmitAsync(circle, [new NewTask("1", "null", 1000)], null, runHere: true);

        var started = _worker.Started.Single();
        var task = result.Tasks[0];
        Assert.That(started.Id, Is.EqualTo(task.Id));
        Assert.That((task.Status, task.Attempts, task.WorkerId), Is.EqualTo((TaskState.Processing, 1, "local")));
        Assert.That(_worker.Released, Is.Zero);

        var db = TestRedis.Connection.GetDatabase();
        Assert.That(await db.ListLengthAsync(RedisKeys.Queue(circle)), Is.Zero, "never queued");
        Assert.That(await db.SortedSetScoreAsync(RedisKeys.Processing(circle), task.Id), Is.Not.Null, "leased, so a crash here is reaped");
        Assert.That((await _reader.GetAsync(circle, task.Id))!.Status, Is.EqualTo(TaskState.Processing));

        Assert.That(await _queue.RenewAsync(started, TimeSpan.FromSeconds(30)), Is.EqualTo(LeaseState.Held));
        Assert.That((await _queue.CompleteAsync(started with { LeaseToken = "stale" }, new TaskOutcome(TaskState.Completed, "2", null, "", 1))).Written, Is.False);
        Assert.That((await _queue.CompleteAsync(started, new TaskOutcome(TaskState.Completed, "1", null, "", 1))).Written, Is.True);
        Assert.That((await _reader.GetAsync(circle, task.Id))!.ResultJson, Is.EqualTo("1"));
    }

    [Test]
    public async Task BehindQueuedTasks_ItQueuesToo_SoNoTaskJumpsTheLine()
    {
        var circle = TestRedis.NewCircle("fifo");
        var first = (await _queue.SubmitAsync(circle, [new NewTask("1", "null", 1000)]))[0];
        var second = (await _submitter.SubmitAsync(circle, [new NewTask("2", "null", 1000)], null, runHere: true)).Tasks[0];

        Assert.That(_worker.Started, Is.Empty);
        Assert.That(_worker.Released, Is.EqualTo(1), "the reserved slot is given back");
        Assert.That(second.Status, Is.EqualTo(TaskState.Pending));
        var claimed = await _queue.ClaimAsync(circle, "w", 2, TimeSpan.FromSeconds(30));
        Assert.That(claimed.Select(c => c.Id), Is.EqualTo(new[] { first.Id, second.Id }));
    }

    [Test]
    public async Task WithoutWaiting_OrWithoutAFreeSlot_ItQueues()
    {
        var circle = TestRedis.NewCircle("queued");
        await _submitter.SubmitAsync(circle, [new NewTask("1", "null", 1000)], null, runHere: false);
        _worker.Free = 0;
        await _submitter.SubmitAsync(circle, [new NewTask("1", "null", 1000)], null, runHere: true);

        Assert.That(_worker.Started, Is.Empty);
        Assert.That(await TestRedis.Connection.GetDatabase().ListLengthAsync(RedisKeys.Queue(circle)), Is.EqualTo(2));
    }

    private sealed class FakeWorker : ILocalWorker
    {
        public List<ClaimedTask> Started { get; } = [];

        public int Released { get; private set; }

        public int Free { get; set; } = 4;

        public string WorkerId => "local";

        public TimeSpan Lease => TimeSpan.FromSeconds(30);

        public int TryReserve(string circle, int wanted)
        {
            var reserved = Math.Min(wanted, Free);
            Free -= reserved;
            return reserved;
        }

        public void Release(int count)
        {
            Released += count;
            Free += count;
        }

        public void Start(ClaimedTask task) => Started.Add(task);
    }
}

/// <summary>The same, through the real pipeline: a submit-with-wait runs in the Api's own worker.</summary>
[TestFixture]
public sealed class LocalDispatchApiTests : ApiFixture
{
    private readonly string _circle = TestRedis.NewCircle("direct");

    // One circle and no idle sweep: a claim of the loop (which holds the free slots while it asks
    // Redis) cannot coincide with the submit and send it the queued way.
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Gateway:Workers:Circles:0"] = _circle,
        ["Gateway:Workers:IdlePollMs"] = "600000",
    };

    [Test]
    public async Task SubmitWithWait_RunsInThisProcess_WithoutQueueOrWakeUpMessages()
    {
        var circle = _circle;
        var heard = new List<string>();
        var subscriber = TestRedis.Connection.GetSubscriber();
        var channel = RedisChannel.Literal(RedisKeys.Events(circle));
        await subscriber.SubscribeAsync(channel, (_, message) =>
        {
            lock (heard)
                heard.Add(message.ToString());
        });
        try
        {
            // The worker's start-up sweep of its circles may still hold its slots for a moment, and a
            // submit then takes the queued way, as it should; so a task may try a few times.
            string[] messages = [];
            for (var attempt = 0; attempt < 5 && !messages.SequenceEqual(["processing", "completed"]); attempt++)
            {
                await Task.Delay(200);
                var response = await Client.SubmitAsync(circle, new { script = "6 * 7" }, wait: 10);
                Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK), response.ToString());
                Assert.That(response.Result!.GetValue<double>(), Is.EqualTo(42));
                Assert.That(response.Body!["attempts"]!.GetValue<int>(), Is.EqualTo(1));
                await Task.Delay(100);
                lock (heard)
                    messages = heard.Where(m => m.StartsWith(response.Id + " ", StringComparison.Ordinal)).Select(m => m.Split(' ')[1]).ToArray();
            }
            // No "pending": nothing was queued and no worker was woken. "processing" is for the
            // circle's stream, which shows every change of every task of the circle.
            Assert.That(messages, Is.EqualTo(new[] { "processing", "completed" }), "no pending message: the task was never queued");
        }
        finally
        {
            await subscriber.UnsubscribeAsync(channel);
        }
    }
}
