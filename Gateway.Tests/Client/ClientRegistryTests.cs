using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Gateway.Client;

namespace Gateway.Tests.Client;

/// <summary>The client's registered-script and schedule calls, against a real Gateway.Api process.</summary>
[TestFixture]
public sealed class ClientRegistryTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private GatewayClient _client = null!;

    [OneTimeSetUp]
    public void CreateClient() => _client = ClientApi.CreateClient();

    [OneTimeTearDown]
    public void DisposeClient() => _client.Dispose();

    [Test]
    public async Task PutScriptAsync_SameTextTwice_SameVersion_AChangedTextTheNext_AndEachVersionReadsBack()
    {
        var circle = TestRedis.NewCircle("cliscripts");

        var first = await _client.PutScriptAsync(circle, "vat", "args.total * 1.2", description: "adds VAT");
        var again = await _client.PutScriptAsync(circle, "vat", "args.total * 1.2", description: "adds VAT");
        var changed = await _client.PutScriptAsync(circle, "vat", "args.total * 1.21");
        var v1 = await _client.GetScriptAsync(circle, "vat", version: 1);
        var latest = await _client.GetScriptAsync(circle, "vat");
        var list = await _client.ListScriptsAsync(circle);

        Assert.That(first.Version, Is.EqualTo(1));
        Assert.That(first.Language, Is.EqualTo("javascript"));
        Assert.That(first.Sha256, Has.Length.EqualTo(64));
        Assert.That(again.Version, Is.EqualTo(1));
        Assert.That(again.Sha256, Is.EqualTo(first.Sha256));
        Assert.That(changed.Version, Is.EqualTo(2));
        Assert.That(v1.Script, Is.EqualTo("args.total * 1.2"));
        Assert.That(v1.Description, Is.EqualTo("adds VAT"));
        Assert.That(latest.Script, Is.EqualTo("args.total * 1.21"));
        Assert.That(list.Select(s => (s.Name, s.Version)), Is.EqualTo(new[] { ("vat", 2) }));
    }

    [Test]
    public async Task SubmitByScriptName_Completes_AndAfterDeleteScriptAsync_IsNotFound()
    {
        var circle = TestRedis.NewCircle("cliscripts");
        await _client.PutScriptAsync(circle, "greet", "'hello ' + args.who");
        var byName = new SubmitOptions { ScriptName = "greet" };

        var ran = await _client.RunAsync(circle, null, new { who = "world" }, Wait, byName);
        await _client.DeleteScriptAsync(circle, "greet");
        var submit = (await Assert.ThrowsAsync<GatewayApiException>(() => _client.SubmitAsync(circle, null, new { who = "again" }, byName)))!;
        var read = (await Assert.ThrowsAsync<GatewayApiException>(() => _client.GetScriptAsync(circle, "greet")))!;
        var delete = (await Assert.ThrowsAsync<GatewayApiException>(() => _client.DeleteScriptAsync(circle, "greet")))!;

        Assert.That(ran.Result!.Value.GetString(), Is.EqualTo("hello world"));
        Assert.That(ran.ScriptName, Is.EqualTo("greet"));
        Assert.That(ran.ScriptVersion, Is.EqualTo(1));
        Assert.That(submit.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(submit.Detail, Does.Contain("greet"));
        Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await _client.ListScriptsAsync(circle), Is.Empty);
    }

    [Test]
    public async Task ScheduleCalls_PutGetListDelete_RoundTripEveryField()
    {
        var circle = TestRedis.NewCircle("clisched");
        var schedule = new Schedule
        {
            Cron = "30 6 * * 1-5",
            TimeZone = "America/New_York",
            Script = "args.n + 1",
            Args = JsonSerializer.SerializeToElement(new { n = 1 }),
            TimeoutMs = 1500,
            Priority = 4,
            Overlap = "allow",
            Retry = new RetryPolicy(2, TimeSpan.FromSeconds(3), 1.5),
        };

        var put = await _client.PutScheduleAsync(circle, "weekday", schedule);
        var replaced = await _client.PutScheduleAsync(circle, "weekday", schedule with { Enabled = false });
        await _client.PutScheduleAsync(circle, "another", new Schedule { Cron = "0 0 * * *", Script = "1" });
        var got = await _client.GetScheduleAsync(circle, "weekday");
        var list = await _client.ListSchedulesAsync(circle);
        await _client.DeleteScheduleAsync(circle, "weekday");
        var gone = (await Assert.ThrowsAsync<GatewayApiException>(() => _client.GetScheduleAsync(circle, "weekday")))!;
        var left = await _client.ListSchedulesAsync(circle);

        Assert.That(put.Name, Is.EqualTo("weekday"));
        Assert.That((put.Cron, put.TimeZone, put.Script, put.TimeoutMs, put.Priority, put.Overlap, put.Enabled),
            Is.EqualTo(("30 6 * * 1-5", "America/New_York", "args.n + 1", 1500L, 4, "allow", true)));
        Assert.That(put.Args!.Value.GetProperty("n").GetInt32(), Is.EqualTo(1));
        Assert.That(put.NextRunAt, Is.Not.Null);
        Assert.That(put.NextRunAt!.Value.ToUniversalTime().Minute, Is.EqualTo(30));
        Assert.That(put.NextRunAt.Value.DayOfWeek, Is.Not.EqualTo(DayOfWeek.Saturday).And.Not.EqualTo(DayOfWeek.Sunday));
        Assert.That(replaced.Enabled, Is.False);
        Assert.That(replaced.NextRunAt, Is.Null, "a disabled schedule has no next run");
        Assert.That(got.Enabled, Is.False);
        Assert.That(got.Priority, Is.EqualTo(4));
        Assert.That(put.Retry, Is.EqualTo(new RetryPolicy(2, TimeSpan.FromSeconds(3), 1.5)));
        Assert.That(got.Retry, Is.EqualTo(put.Retry), "read back as put, and kept by a put of the schedule as read");
        Assert.That(list.Single(s => s.Name == "another").Retry, Is.Null);
        Assert.That(list.Select(s => s.Name), Is.EqualTo(new[] { "another", "weekday" }));
        Assert.That(gone.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(left.Select(s => s.Name), Is.EqualTo(new[] { "another" }));
        Assert.That(put.CreatedAt, Is.Not.Null);
        Assert.That(got.CreatedAt, Is.EqualTo(put.CreatedAt), "replacing keeps when it was created");
        Assert.That(got.UpdatedAt, Is.GreaterThanOrEqualTo(got.CreatedAt));
    }

    [Test]
    public async Task ASchedulePinnedToAVersion_ReadChangedAndPutBack_StaysPinned()
    {
        var circle = TestRedis.NewCircle("clisched");
        await _client.PutScriptAsync(circle, "vat", "args.total * 1.2");
        await _client.PutScriptAsync(circle, "vat", "args.total * 1.21");

        var put = await _client.PutScheduleAsync(circle, "nightly", new Schedule { Cron = "0 2 * * *", ScriptName = "vat", ScriptVersion = 1 });
        var read = await _client.GetScheduleAsync(circle, "nightly");
        var changed = await _client.PutScheduleAsync(circle, "nightly", read with { Priority = 5 });

        Assert.That(put.ScriptVersion, Is.EqualTo(1));
        Assert.That(read.ScriptVersion, Is.EqualTo(1));
        Assert.That((changed.ScriptName, changed.ScriptVersion, changed.Priority), Is.EqualTo(("vat", (int?)1, (int?)5)));
    }

    [TestCase("61 * * * *", "cron")]
    [TestCase("not a cron", "cron")]
    public async Task PutScheduleAsync_BadCron_ThrowsValidationNamingTheField(string cron, string field)
    {
        var circle = TestRedis.NewCircle("clisched");

        var invalid = (await Assert.ThrowsAsync<GatewayApiException>(() =>
            _client.PutScheduleAsync(circle, "bad", new Schedule { Cron = cron, Script = "1" })))!;

        Assert.That(invalid.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(invalid.Errors.Keys, Is.EquivalentTo(new[] { field }));
        Assert.That(invalid.Errors[field], Is.Not.Empty);
        Assert.That(await _client.ListSchedulesAsync(circle), Is.Empty, "nothing stored");
    }

    [Test]
    public async Task PutScheduleAsync_PriorityOutOfRange_ThrowsValidationNamingPriority()
    {
        var invalid = (await Assert.ThrowsAsync<GatewayApiException>(() =>
            _client.PutScheduleAsync(TestRedis.NewCircle("clisched"), "bad", new Schedule { Cron = "* * * * *", Script = "1", Priority = 10 })))!;

        Assert.That(invalid.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(invalid.Errors.Keys, Is.EquivalentTo(new[] { "priority" }));
    }

    [Test]
    public async Task AScheduleOfPriorityNine_NamingARegisteredScript_FiresATaskOfPriorityNine_ThatCompletes()
    {
        var circle = TestRedis.NewCircle("clisched");
        await _client.PutScriptAsync(circle, "tick", "'tock ' + args.n");

        await _client.PutScheduleAsync(circle, "every-second", new Schedule
        {
            Cron = "* * * * * *",
            ScriptName = "tick",
            Args = JsonSerializer.SerializeToElement(new { n = 9 }),
            Priority = 9,
        });
        Schedule fired;
        for (var clock = Stopwatch.StartNew(); (fired = await _client.GetScheduleAsync(circle, "every-second")).LastTaskId is null;)
        {
            Assert.That(clock.Elapsed, Is.LessThan(Wait), "never fired");
            await Task.Delay(100);
        }
        await _client.DeleteScheduleAsync(circle, "every-second");
        var task = await _client.WaitAsync(circle, fired.LastTaskId!, Wait);

        Assert.That(task.Priority, Is.EqualTo(9));
        Assert.That(task.ScheduleName, Is.EqualTo("every-second"));
        Assert.That(task.ScriptName, Is.EqualTo("tick"));
        Assert.That(task.Status, Is.EqualTo(GatewayTaskStatus.Completed));
        Assert.That(task.Result!.Value.GetString(), Is.EqualTo("tock 9"));
    }
}
