using Gateway.Core.Configuration;
using Gateway.Core.Queueing;
using Gateway.Core.Recurring;
using Gateway.Core.Redis;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Recurring;

/// <summary>
/// A fired task waits where a submitted one of the same priority would, and counts against the
/// circle's quota of waiting tasks as a submit does: every lane and the scheduled set.
/// </summary>
[TestFixture]
public sealed class SchedulePriorityTests
{
    private static readonly DateTimeOffset Start = new(2030, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly ScheduleDefinition EverySecond =
        new("* * * * * *", "UTC", "1", null, null, "javascript", "null", 1000, ScheduleOverlap.Allow, Enabled: true);

    private static (ScheduleStore Schedules, TaskQueue Queue, FakeTimeProvider Time) NewProcess(int maxWaiting = 100_000)
    {
        var time = new FakeTimeProvider(Start.AddMilliseconds(200));
        var limits = Options.Create(new LimitsOptions { MaxPendingPerCircle = maxWaiting });
        return (new ScheduleStore(TestRedis.Connection, time, limits),
            new TaskQueue(TestRedis.Connection, time, Options.Create(new TaskOptions()), limits), time);
    }

    [Test]
    public async Task Fire_PriorityNine_QueuesInLaneNine_AndIsClaimedBeforeEarlierPriorityZeroTasks()
    {
        var circle = TestRedis.NewCircle("firepri");
        var (schedules, queue, time) = NewProcess();
        var earlier = await queue.SubmitAsync(circle, [new NewTask("'a'", "null", 1000), new NewTask("'b'", "null", 1000)]);
        var (schedule, _) = await schedules.PutAsync(circle, "urgent", EverySecond with { Priority = 9 });

        time.SetUtcNow(Start.AddSeconds(1));
        var firing = (await schedules.FireDueAsync(circle)).Single();
        var claimed = await queue.ClaimAsync(circle, "w-test", 3, TimeSpan.FromSeconds(30));

        var db = TestRedis.Connection.GetDatabase();
        Assert.That(schedule.Definition.Priority, Is.EqualTo(9));
        Assert.That((await schedules.GetAsync(circle, "urgent"))!.Definition.Priority, Is.EqualTo(9), "read back from the hash");
        Assert.That(firing.Outcome, Is.EqualTo(FiringOutcome.Fired));
        Assert.That((int)await db.HashGetAsync(RedisKeys.Task(circle, firing.TaskId!), TaskHash.Priority), Is.EqualTo(9));
        Assert.That(claimed.Select(t => t.Id), Is.EqualTo(new[] { firing.TaskId, earlier[0].Id, earlier[1].Id }),
            "the fired task first, then the priority-0 ones in the order they came");
    }

    [Test]
    public async Task Fire_PriorityNine_BeforeAnyClaim_SitsInLaneNineOnly()
    {
        var circle = TestRedis.NewCircle("firepri");
        var (schedules, _, time) = NewProcess();
        await schedules.PutAsync(circle, "urgent", EverySecond with { Priority = 9 });

        time.SetUtcNow(Start.AddSeconds(1));
        var firing = (await schedules.FireDueAsync(circle)).Single();

        var db = TestRedis.Connection.GetDatabase();
        Assert.That((await db.ListRangeAsync(RedisKeys.Queue(circle, 9))).Select(v => (string?)v), Is.EqualTo(new[] { firing.TaskId }));
        Assert.That(await db.ListLengthAsync(RedisKeys.Queue(circle)), Is.Zero);
    }

    [Test]
    public async Task Fire_CopiesTheRetryPolicy_AndAPutWithoutOneLeavesTheNextTasksWithout()
    {
        var circle = TestRedis.NewCircle("fireretry");
        var (schedules, _, time) = NewProcess();
        var reader = new TaskReader(TestRedis.Connection);
        var policy = new RetryPolicy(3, 250, 2.5);
        await schedules.PutAsync(circle, "flaky", EverySecond with { Retry = policy });

        time.SetUtcNow(Start.AddSeconds(1));
        var first = (await schedules.FireDueAsync(circle)).Single();
        await schedules.PutAsync(circle, "flaky", EverySecond);
        time.SetUtcNow(Start.AddSeconds(2));
        var second = (await schedules.FireDueAsync(circle)).Single();

        Assert.That(first.Outcome, Is.EqualTo(FiringOutcome.Fired));
        Assert.That(second.Outcome, Is.EqualTo(FiringOutcome.Fired));
        Assert.That((await reader.GetDefinitionAsync(circle, first.TaskId!))!.Task.Retry, Is.EqualTo(policy));
        Assert.That((await reader.GetDefinitionAsync(circle, second.TaskId!))!.Task.Retry, Is.Null, "the policy was put away with the first definition");
        Assert.That((await schedules.GetAsync(circle, "flaky"))!.Definition.Retry, Is.Null);
    }

    [Test]
    public async Task Fire_QuotaCoveredByOtherLanesAndScheduledTasks_IsSkipped_AndFiresOnceThereIsRoom()
    {
        var circle = TestRedis.NewCircle("firequota");
        var (schedules, queue, time) = NewProcess(maxWaiting: 3);
        // Three waiting tasks, none of them in lane 0: a count of lane 0 alone would see room.
        var waiting = await queue.SubmitAsync(circle,
        [
            new NewTask("1", "null", 1000) { Priority = 5 },
            new NewTask("2", "null", 1000) { Priority = 9 },
            new NewTask("3", "null", 1000) { RunAt = Start.AddHours(1) },
        ]);
        await schedules.PutAsync(circle, "tick", EverySecond);

        time.SetUtcNow(Start.AddSeconds(1));
        var full = (await schedules.FireDueAsync(circle)).Single();
        await queue.CancelAsync(circle, waiting[0].Id);
        time.SetUtcNow(Start.AddSeconds(2));
        var room = (await schedules.FireDueAsync(circle)).Single();

        Assert.That(waiting[2].Status, Is.EqualTo(TaskState.Scheduled));
        Assert.That(full.Outcome, Is.EqualTo(FiringOutcome.QueueFull));
        Assert.That(full.TaskId, Is.Null);
        Assert.That(room.Outcome, Is.EqualTo(FiringOutcome.Fired));
        Assert.That(await TestRedis.Connection.GetDatabase().ListLengthAsync(RedisKeys.Queue(circle)), Is.EqualTo(1), "only the second firing's task");
    }
}
