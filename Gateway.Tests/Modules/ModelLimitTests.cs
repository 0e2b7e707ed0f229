using System.Text;
using Gateway.Core.Redis;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Rhai;

namespace Gateway.Tests.Modules;

/// <summary>
/// A circle's domain entities take at most <c>MaxModelBytesPerCircle</c> bytes of JSON together:
/// a script that creates or grows entities past it fails with a script error and stores nothing,
/// the count Redis keeps matches what is stored, and deleting gives the bytes back. Without the
/// limit one script could fill the shared Redis within its time budget, 256 KiB a call.
/// </summary>
[TestFixture]
public sealed class ModelLimitTests : ModuleFixture
{
    private const int Limit = 8 * 1024;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Gateway:Limits:MaxModelBytesPerCircle"] = Limit.ToString(),
    };

    private const string Refused = "the circle's entities would take more than 8192 bytes of JSON, the most a circle may hold";

    /// <summary>The bytes the circle's figures show (the count the write script keeps), and the bytes its entities of every kind take as stored.</summary>
    private async Task<(long Counted, long Stored)> Usage(string circle)
    {
        var db = TestRedis.Connection.GetDatabase();
        long stored = 0;
        foreach (var kind in new[] { "calendar", "event", "flow", "contract" })
            foreach (var entry in await db.HashGetAllAsync(RedisKeys.Models(circle, kind)))
                stored += Encoding.UTF8.GetByteCount((string)entry.Value!);
        var figures = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}"));
        Assert.That(figures.Body!["entityBytesLimit"]!.GetValue<long>(), Is.EqualTo(Limit));
        return (figures.Body!["entityBytes"]!.GetValue<long>(), stored);
    }

    [Test]
    public async Task CreatingPastTheLimit_FailsAsAScriptError_AndStoresNothingMore()
    {
        var circle = TestRedis.NewCircle("quota");

        var message = await Fails(circle, "for (let i = 0; ; i++) calendar.createCalendar({ name: 'c' + i, description: 'x'.repeat(500) })");

        Assert.That(message, Does.Contain("calendar.createCalendar failed: " + Refused));
        var (counted, stored) = await Usage(circle);
        Assert.That(counted, Is.EqualTo(stored), "the count is what is stored");
        Assert.That(stored, Is.InRange(Limit - 700, Limit), "filled up to the limit, not past it");
        var calendars = await Run(circle, "calendar.listCalendars().length");
        Assert.That(calendars!.GetValue<int>(), Is.InRange(8, 16), "each calendar takes some 600 bytes");
    }

    [Test]
    public async Task TheScriptCanCatchTheRefusal_AndGoOn_WithinTheLimit()
    {
        var circle = TestRedis.NewCircle("quota");

        var result = await Run(circle, """
            let made = 0, refused = '';
            try { for (;;) { calendar.createCalendar({ name: 'x'.repeat(1000) }); made++; } }
            catch (e) { refused = e.message; }
            const small = calendar.createCalendar({ name: 'y' });
            [made, refused, small.name]
            """);

        Assert.That(result![0]!.GetValue<int>(), Is.InRange(6, 8));
        Assert.That(result[1]!.GetValue<string>(), Does.Contain(Refused));
        Assert.That(result[2]!.GetValue<string>(), Is.EqualTo("y"), "a smaller entity still fits in what is left");
    }

    [Test]
    public async Task AChangeThatGrowsPastTheLimit_IsRefused_OneThatShrinks_IsNot_AndDeletingGivesBytesBack()
    {
        var circle = TestRedis.NewCircle("quota");
        await Run(circle, """
            const cal = calendar.createCalendar({ name: 'Team' });
            for (let i = 0; i < 6; i++)
              calendar.createEvent({ calendarId: cal.id, title: 't'.repeat(1000), start: '2026-12-01T09:00:00Z', end: '2026-12-01T10:00:00Z' });
            """);
        var before = await Usage(circle);

        var grown = await Fails(circle, "calendar.updateEvent(1, { description: 'd'.repeat(4000) })");
        Assert.That(grown, Does.Contain("calendar.updateEvent failed: " + Refused));
        Assert.That(await Usage(circle), Is.EqualTo(before), "nothing changed");

        await Run(circle, "calendar.updateEvent(2, { title: 'short' })");
        var shrunk = await Usage(circle);
        Assert.That(shrunk.Counted, Is.EqualTo(shrunk.Stored));
        Assert.That(shrunk.Counted, Is.LessThan(before.Counted - 900));

        await Run(circle, "calendar.deleteEvent(1); calendar.deleteEvent(3); calendar.deleteEvent(99)");
        var deleted = await Usage(circle);
        Assert.That(deleted.Counted, Is.EqualTo(deleted.Stored));
        Assert.That(deleted.Counted, Is.LessThan(shrunk.Counted - 2000));
        await Run(circle, "calendar.updateEvent(2, { description: 'd'.repeat(4000) })");
        Assert.That((await Usage(circle)) is var after && after.Counted == after.Stored, "the change now fits, and is counted");
    }

    [Test]
    public async Task TheLimitIsPerCircle()
    {
        var full = TestRedis.NewCircle("quota");
        await Fails(full, "for (;;) calendar.createCalendar({ name: 'x'.repeat(1000) })");

        var other = await Run(TestRedis.NewCircle("quota"), "calendar.createCalendar({ name: 'x'.repeat(1000) }).id");

        Assert.That(other!.GetValue<int>(), Is.EqualTo(1));
    }

    [Test]
    public async Task ConcurrentTasksOfOneCircle_NeverPassTheLimit_AndTheCountStaysExact()
    {
        var circle = TestRedis.NewCircle("quota");
        const string script = "try { for (;;) calendar.createEvent({ calendarId: 1, title: 'x'.repeat(300), start: '2026-12-01T09:00:00Z', end: '2026-12-01T10:00:00Z' }) } catch (e) { e.message }";
        await Run(circle, "calendar.createCalendar({ name: 'Team' })");

        var runs = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Client.RunAsync(circle, script)));

        Assert.That(runs.Select(r => r.Result!.GetValue<string>()), Has.All.Contain(Refused));
        var (counted, stored) = await Usage(circle);
        Assert.That(counted, Is.EqualTo(stored));
        Assert.That(stored, Is.InRange(Limit - 500, Limit));
    }

    [Test]
    public async Task Rhai_GetsTheSameRefusal_AsAScriptError()
    {
        var circle = TestRedis.NewCircle("quota");

        var task = await Client.RunRhaiAsync(circle, """
            let name = "x";
            name.pad(1000, 'x');
            loop { calendar::create_calendar(#{ name: name }); }
            """);

        Assert.That(task.ErrorCode, Is.EqualTo("script_error"), task.ToString());
        Assert.That(task.Message(), Does.Contain("calendar::create_calendar failed: " + Refused));
        var (counted, stored) = await Usage(circle);
        Assert.That(counted, Is.EqualTo(stored));
    }
}
