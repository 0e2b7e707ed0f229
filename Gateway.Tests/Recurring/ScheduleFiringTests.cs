using Gateway.Core.Recurring;
using Gateway.Core.Redis;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Gateway.Tests.Recurring;

/// <summary>
/// Firing against the test Redis with a fake clock: the compare-and-set that makes each due time
/// fire once, missed firings after downtime, overlap, and a put racing a firing.
/// </summary>
[TestFixture]
public sealed class ScheduleFiringTests
{
    private static readonly DateTimeOffset Start = new(2030, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static ScheduleDefinition EverySecond(ScheduleOverlap overlap = ScheduleOverlap.Allow) =>
        new("* * * * * *", "UTC", "1", null, null, "javascript", "null", 1000, overlap, Enabled: true);

    private static (ScheduleStore Store, FakeTimeProvider Time) NewProcess(DateTimeOffset at)
    {
        var time = new FakeTimeProvider(at);
        return (new ScheduleStore(TestRedis.Connection, time), time);
    }

    /// <summary>Counts <c>gateway.schedule.skips</c> for one circle, by reason.</summary>
    private sealed class SkipCounter : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _counts = new();

        public SkipCounter(string circle)
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == Gateway.Core.Telemetry.GatewayMetrics.Name && instrument.Name == "gateway.schedule.skips")
                    l.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                var named = tags.ToArray().ToDictionary(t => t.Key, t => t.Value as string);
                if (named.GetValueOrDefault("circle") == circle)
                    _counts.AddOrUpdate(named.GetValueOrDefault("reason") ?? "", value, (_, sum) => sum + value);
            });
            _listener.Start();
        }

        public long this[string reason] => _counts.GetValueOrDefault(reason);

        public void Dispose() => _listener.Dispose();
    }

    [Test]
    public async Task ManyProcesses_FiringTheSameDueTime_FireItOnce()
    {
        var circle = TestRedis.NewCircle("fire");
        var processes = Enumerable.Range(0, 8).Select(_ => NewProcess(Start.AddMilliseconds(200))).ToArray();
        var (schedule, created) = await processes[0].Store.PutAsync(circle, "tick", EverySecond());
        Assert.That(created, Is.True);
        Assert.That(schedule.NextRunAt, Is.EqualTo(Start.AddSeconds(1)));

        var fired = new List<Firing>();
        for (var second = 1; second <= 5; second++)
        {
            foreach (var (_, time) in processes)
                time.SetUtcNow(Start.AddSeconds(second).AddMilliseconds(5));
            var rounds = await Task.WhenAll(processes.Select(p => p.Store.FireDueAsync(circle)));
            fired.AddRange(rounds.SelectMany(r => r));
        }

        Assert.That(fired.Select(f => f.Outcome), Is.All.EqualTo(FiringOutcome.Fired));
        Assert.That(fired.Select(f => f.Due), Is.EqualTo(Enumerable.Range(1, 5).Select(s => (DateTimeOffset?)Start.AddSeconds(s))));
        var after = await processes[0].Store.GetAsync(circle, "tick");
        Assert.That(after!.NextRunAt, Is.EqualTo(Start.AddSeconds(6)));
        Assert.That(after.LastRunAt, Is.EqualTo(Start.AddSeconds(5)));
        Assert.That(after.LastTaskId, Is.EqualTo(fired[^1].TaskId));
        var queued = await TestRedis.Connection.GetDatabase().ListLengthAsync(RedisKeys.Queue(circle));
        Assert.That(queued, Is.EqualTo(5));
    }

    /// <summary>
    /// A schedule whose stored due time does not read (written by hand, or by another version)
    /// stood first in its circle's due order, and its error ended every pass before the circle's
    /// other schedules were reached: they stopped firing for good.
    /// </summary>
    [Test]
    public async Task AScheduleWhoseStoredFieldsDoNotRead_IsLeftWhereItIs_AndTheCirclesOthersFire()
    {
        var circle = TestRedis.NewCircle("poison");
        var (store, time) = NewProcess(Start.AddMilliseconds(200));
        await store.PutAsync(circle, "a-broken", EverySecond());
        await store.PutAsync(circle, "tick", EverySecond());
        await TestRedis.Connection.GetDatabase().HashSetAsync(RedisKeys.Schedule(circle, "a-broken"), ScheduleHash.Next, "not a time");

        for (var second = 1; second <= 2; second++)
        {
            time.SetUtcNow(Start.AddSeconds(second).AddMilliseconds(5));
            var firings = await store.FireDueAsync(circle);

            var broken = firings.Single(f => f.Name == "a-broken");
            Assert.That(broken.Outcome, Is.EqualTo(FiringOutcome.NotHere));
            Assert.That(broken.Error, Is.Not.Null);
            var tick = firings.Single(f => f.Name == "tick");
            Assert.That(tick.Outcome, Is.EqualTo(FiringOutcome.Fired), $"second {second}");
            Assert.That(tick.Due, Is.EqualTo(Start.AddSeconds(second)));
        }
        Assert.That(await TestRedis.Connection.GetDatabase().ListLengthAsync(RedisKeys.Queue(circle)), Is.EqualTo(2));
        var earliest = await store.EarliestAsync(circle, ["a-broken"]);
        Assert.That(earliest, Is.EqualTo(Start.AddSeconds(3)), "the others' next due time, passing over the one left where it is");
    }

    [Test]
    public async Task APut_AfterADueTimeCameButBeforeItFired_KeepsThatDueTime_WhichFiresWithTheNewDefinition()
    {
        var circle = TestRedis.NewCircle("fire");
        var (store, time) = NewProcess(Start.AddMilliseconds(200));
        await store.PutAsync(circle, "minutely", EverySecond() with { Cron = "* * * * *" });

        // 12:01:00 has come; no firer has fired it yet when the schedule is put again, 3 s later.
        time.SetUtcNow(Start.AddMinutes(1).AddSeconds(3));
        var (replaced, created) = await store.PutAsync(circle, "minutely", EverySecond() with { Cron = "* * * * *", Script = "2" });
        var fired = await store.FireDueAsync(circle);

        Assert.That(created, Is.False);
        Assert.That(replaced.NextRunAt, Is.EqualTo(Start.AddMinutes(1)), "the due time that came is still to fire");
        Assert.That(fired.Select(f => (f.Outcome, f.Due)), Is.EqualTo(new[] { (FiringOutcome.Fired, (DateTimeOffset?)Start.AddMinutes(1)) }));
        var db = TestRedis.Connection.GetDatabase();
        Assert.That(await db.HashGetAsync(RedisKeys.Task(circle, fired[0].TaskId!), "script"), Is.EqualTo((RedisValue)"2"), "with the new definition");
        Assert.That((await store.GetAsync(circle, "minutely"))!.NextRunAt, Is.EqualTo(Start.AddMinutes(2)));

        // A new schedule does not fire for a due time from before it existed.
        var (fresh, _) = await store.PutAsync(circle, "other", EverySecond() with { Cron = "* * * * *" });
        Assert.That(fresh.NextRunAt, Is.EqualTo(Start.AddMinutes(2)));
    }

    [Test]
    public async Task AfterDowntime_MissedDueTimesAreNotReplayed_AndTheNextOneFires()
    {
        var circle = TestRedis.NewCircle("fire");
        var (store, time) = NewProcess(Start.AddMilliseconds(200));
        await store.PutAsync(circle, "minutely", EverySecond() with { Cron = "* * * * *" });
        using var skips = new SkipCounter(circle);

        time.SetUtcNow(Start.AddMinutes(5).AddSeconds(30)); // five minutes of nobody firing; the last due time is 30 s old
        var late = await store.FireDueAsync(circle);
        Assert.That(skips["missed"], Is.EqualTo(5), "12:01 … 12:05, each counted");
        var afterLate = await store.GetAsync(circle, "minutely");
        time.SetUtcNow(Start.AddMinutes(6).AddMilliseconds(3));
        var next = await store.FireDueAsync(circle);

        Assert.That(late.Select(f => f.Outcome), Is.EqualTo(new[] { FiringOutcome.Missed }));
        Assert.That(afterLate!.NextRunAt, Is.EqualTo(Start.AddMinutes(6)), "the next due time after now, not the next missed one");
        Assert.That(afterLate.LastTaskId, Is.Null);
        Assert.That(next.Select(f => (f.Outcome, f.Due)), Is.EqualTo(new[] { (FiringOutcome.Fired, (DateTimeOffset?)Start.AddMinutes(6)) }));
        Assert.That(await TestRedis.Connection.GetDatabase().ListLengthAsync(RedisKeys.Queue(circle)), Is.EqualTo(1));
    }

    [Test]
    public async Task AfterDowntime_AnEverySecondSchedule_FiresOnceForTheLatestSecond_NotForEachMissedOne()
    {
        var circle = TestRedis.NewCircle("fire");
        var (store, time) = NewProcess(Start.AddMilliseconds(200));
        await store.PutAsync(circle, "tick", EverySecond());
        using var skips = new SkipCounter(circle);

        time.SetUtcNow(Start.AddMinutes(5).AddMilliseconds(300));
        var firings = await store.FireDueAsync(circle);

        Assert.That(skips["missed"], Is.EqualTo(299), "every second of the five minutes but the one fired");
        Assert.That(firings.Select(f => (f.Outcome, f.Due)), Is.EqualTo(new[] { (FiringOutcome.Fired, (DateTimeOffset?)Start.AddMinutes(5)) }));
        Assert.That((await store.GetAsync(circle, "tick"))!.NextRunAt, Is.EqualTo(Start.AddMinutes(5).AddSeconds(1)));
        Assert.That(await TestRedis.Connection.GetDatabase().ListLengthAsync(RedisKeys.Queue(circle)), Is.EqualTo(1));
    }

    [Test]
    public async Task ALateFiring_WithinTheGrace_FiresTheLatestDueTimeOnly()
    {
        var circle = TestRedis.NewCircle("fire");
        var (store, time) = NewProcess(Start.AddMilliseconds(200));
        await store.PutAsync(circle, "tick", EverySecond());

        using var skips = new SkipCounter(circle);
        time.SetUtcNow(Start.AddSeconds(3).AddMilliseconds(400)); // due at 1, 2 and 3 s
        var firings = await store.FireDueAsync(circle);

        Assert.That(skips["missed"], Is.EqualTo(2), "1 and 2 s");
        Assert.That(firings.Select(f => (f.Outcome, f.Due)), Is.EqualTo(new[] { (FiringOutcome.Fired, (DateTimeOffset?)Start.AddSeconds(3)) }));
        Assert.That((await store.GetAsync(circle, "tick"))!.NextRunAt, Is.EqualTo(Start.AddSeconds(4)));
    }

    [Test]
    public async Task OverlapSkip_SkipsWhileThePreviousTaskIsUnfinished()
    {
        var circle = TestRedis.NewCircle("fire");
        var (store, time) = NewProcess(Start.AddMilliseconds(200));
        await store.PutAsync(circle, "tick", EverySecond(ScheduleOverlap.Skip));

        time.SetUtcNow(Start.AddSeconds(1));
        var first = await store.FireDueAsync(circle);
        time.SetUtcNow(Start.AddSeconds(2));
        var second = await store.FireDueAsync(circle);
        // The first task finishes (cancelled while pending is a finish too).
        var queue = new TaskQueue(TestRedis.Connection, time, Microsoft.Extensions.Options.Options.Create(new Gateway.Core.Configuration.TaskOptions()));
        await queue.CancelAsync(circle, first[0].TaskId!);
        time.SetUtcNow(Start.AddSeconds(3));
        var third = await store.FireDueAsync(circle);

        Assert.That(first[0].Outcome, Is.EqualTo(FiringOutcome.Fired));
        Assert.That(second[0].Outcome, Is.EqualTo(FiringOutcome.Overlapping));
        Assert.That(second[0].TaskId, Is.EqualTo(first[0].TaskId), "it names the task it waited for");
        Assert.That(third[0].Outcome, Is.EqualTo(FiringOutcome.Fired));
        Assert.That((await store.GetAsync(circle, "tick"))!.LastRunAt, Is.EqualTo(Start.AddSeconds(3)));
    }

    [Test]
    public async Task APut_AfterAFiring_NeverBringsBackTheDueTimeItHandled()
    {
        var circle = TestRedis.NewCircle("fire");
        var (store, time) = NewProcess(Start.AddMilliseconds(200));
        await store.PutAsync(circle, "tick", EverySecond());
        time.SetUtcNow(Start.AddSeconds(1).AddMilliseconds(1));
        await store.FireDueAsync(circle);

        // A process whose clock is behind puts the schedule again: "the first second after now" is the one just fired.
        var (behind, _) = NewProcess(Start.AddMilliseconds(900));
        var (again, created) = await behind.PutAsync(circle, "tick", EverySecond() with { Script = "2" });

        Assert.That(created, Is.False);
        Assert.That(again.NextRunAt, Is.EqualTo(Start.AddSeconds(2)));
        Assert.That(again.Definition.Script, Is.EqualTo("2"));
    }

    [Test]
    public async Task ADisabledSchedule_HasNoNextRun_AndNeverFires()
    {
        var circle = TestRedis.NewCircle("fire");
        var (store, time) = NewProcess(Start);
        var (schedule, _) = await store.PutAsync(circle, "off", EverySecond() with { Enabled = false });

        time.SetUtcNow(Start.AddSeconds(10));
        var firings = await store.FireDueAsync(circle);

        Assert.That(schedule.NextRunAt, Is.Null);
        Assert.That(firings, Is.Empty);
        Assert.That(await store.EarliestAsync(circle), Is.Null);
    }

    [Test]
    public void Cron_InATimeZone_FollowsItsDaylightSavingTransitions()
    {
        Assert.That(CronSchedule.TryFindZone("Europe/Brussels", out var brussels), Is.True, "tzdata must be installed");
        Assert.That(CronSchedule.TryParse("30 2 * * *", brussels, out var cron, out var error), Is.True, error);

        // 2030-03-31: clocks go from 02:00 to 03:00 in Brussels; 02:30 does not exist, Cronos fires at the transition.
        var spring = cron!.NextAfter(new DateTimeOffset(2030, 3, 30, 12, 0, 0, TimeSpan.Zero));
        var summer = cron.NextAfter(new DateTimeOffset(2030, 4, 1, 12, 0, 0, TimeSpan.Zero));

        Assert.That(spring, Is.EqualTo(new DateTimeOffset(2030, 3, 31, 1, 0, 0, TimeSpan.Zero)));
        Assert.That(summer, Is.EqualTo(new DateTimeOffset(2030, 4, 2, 0, 30, 0, TimeSpan.Zero)));
    }

    [TestCase("* * * *", false)]
    [TestCase("* * * * * * *", false)]
    [TestCase("61 * * * *", false)]
    [TestCase("not a cron", false)]
    [TestCase("*/5 * * * *", true)]
    [TestCase("*/5 * * * * *", true)]
    [TestCase("@daily", true)]
    [TestCase("0 0 30 2 *", false)]
    [TestCase("0 0 31 4 *", false)]
    [TestCase("0 0 29 2 *", true)]
    public void Cron_ParsesFiveOrSixFields(string cron, bool valid)
    {
        Assert.That(CronSchedule.TryParse(cron, TimeZoneInfo.Utc, out _, out var error), Is.EqualTo(valid), error);
        Assert.That(error is null, Is.EqualTo(valid));
    }

    [Test]
    public void ParsedExpressions_AreKeptUpToABound_NotOnePerExpressionEverPut()
    {
        var (store, _) = NewProcess(Start);
        var daily = store.Parse("0 12 * * *", "UTC");

        // Every minute of the day at second s: 86 400 distinct valid expressions, more than the bound.
        var seen = 0;
        for (var minute = 0; minute < 60 && seen <= 2 * ScheduleStore.MostParsed; minute++)
            for (var second = 0; second < 60; second++, seen++)
                Assert.That(store.Parse($"{second} {minute} * * * *", "UTC"), Is.Not.Null);

        Assert.That(seen, Is.GreaterThan(2 * ScheduleStore.MostParsed));
        Assert.That(store.ParsedCount, Is.InRange(1, ScheduleStore.MostParsed));
        // What was dropped parses again, to the same schedule.
        Assert.That(store.Parse("0 12 * * *", "UTC")!.NextAfter(Start), Is.EqualTo(daily!.NextAfter(Start)));
    }
}
