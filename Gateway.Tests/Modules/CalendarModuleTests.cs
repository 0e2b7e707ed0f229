using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Modules;

[TestFixture]
public sealed class CalendarModuleTests : ModuleFixture
{
    private const string Setup = """
        const cal = calendar.createCalendar({ name: 'Team', description: 'team events' });
        const ev = calendar.createEvent({ calendarId: cal.id, title: 'Planning', start: '2026-12-01T09:00:00Z',
          end: '2026-12-01T10:00:00Z', location: 'Room 1', description: 'Q1', attendees: ['alice', 'bob'] });
        """;

    [Test]
    public async Task CreateCalendar_ReturnsItWithAnId_AndGetAndListFindIt()
    {
        var circle = TestRedis.NewCircle("cal");
        var result = await Run(circle, """
            const a = calendar.createCalendar({ name: 'Team', description: 'team events' });
            const b = calendar.createCalendar({ name: 'Private' });
            [a, calendar.getCalendar(a.id), calendar.listCalendars().map(c => c.name), calendar.getCalendar(999)]
            """);

        var created = result![0]!;
        Assert.That(created["id"]!.GetValue<double>(), Is.EqualTo(1));
        Assert.That(created["name"]!.GetValue<string>(), Is.EqualTo("Team"));
        Assert.That(created["description"]!.GetValue<string>(), Is.EqualTo("team events"));
        Assert.That(created["createdAt"]!.GetValue<string>(), Does.Match(@"^\d{4}-\d\d-\d\dT.*Z$"));
        Assert.That(result[1]!.ToJsonString(), Is.EqualTo(created.ToJsonString()));
        Assert.That(result[2]!.ToJsonString(), Is.EqualTo("[\"Team\",\"Private\"]"));
        Assert.That(result[3], Is.Null, "get of an unknown id is null");
    }

    [Test]
    public async Task CreateEvent_HasPendingAttendees_AndIsNotCancelled()
    {
        var result = await Run(TestRedis.NewCircle("cal"), Setup + "[ev, calendar.getEvent(ev.id)]");

        var ev = result![0]!;
        Assert.That(ev["calendarId"]!.GetValue<double>(), Is.EqualTo(1));
        Assert.That(ev["title"]!.GetValue<string>(), Is.EqualTo("Planning"));
        Assert.That(ev["start"]!.GetValue<string>(), Is.EqualTo("2026-12-01T09:00:00.000Z"));
        Assert.That(ev["cancelled"]!.GetValue<bool>(), Is.False);
        Assert.That(ev["attendees"]!.ToJsonString(), Is.EqualTo("[{\"name\":\"alice\",\"status\":\"pending\"},{\"name\":\"bob\",\"status\":\"pending\"}]"));
        Assert.That(result[1]!.ToJsonString(), Is.EqualTo(ev.ToJsonString()));
    }

    [Test]
    public async Task ListEvents_IsSortedByStart_AndFilteredByRange()
    {
        var result = await Run(TestRedis.NewCircle("cal"), """
            const cal = calendar.createCalendar({ name: 'C' });
            const other = calendar.createCalendar({ name: 'Other' });
            const add = (title, day) => calendar.createEvent({ calendarId: cal.id, title,
              start: `2026-12-0${day}T09:00:00Z`, end: `2026-12-0${day}T10:00:00Z` });
            add('third', 5); add('first', 1); add('second', 3);
            calendar.createEvent({ calendarId: other.id, title: 'elsewhere', start: '2026-12-02T09:00:00Z', end: '2026-12-02T10:00:00Z' });
            [calendar.listEvents(cal.id).map(e => e.title),
             calendar.listEvents(cal.id, { from: '2026-12-02T00:00:00Z', to: '2026-12-04T00:00:00Z' }).map(e => e.title)]
            """);

        Assert.That(result![0]!.ToJsonString(), Is.EqualTo("[\"first\",\"second\",\"third\"]"));
        Assert.That(result[1]!.ToJsonString(), Is.EqualTo("[\"second\"]"));
    }

    [Test]
    public async Task UpdateRescheduleRespondCancelDelete_ChangeTheEvent()
    {
        var result = await Run(TestRedis.NewCircle("cal"), Setup + """
            const updated = calendar.updateEvent(ev.id, { title: 'Big planning', location: 'Hall' });
            const moved = calendar.reschedule(ev.id, '2026-12-02T09:00:00Z', '2026-12-02T11:00:00Z');
            const answered = calendar.respond(ev.id, 'alice', 'accepted');
            const cancelled = calendar.cancelEvent(ev.id);
            [updated.title, updated.location, updated.description, moved.start, moved.end,
             answered.attendees, cancelled.cancelled, calendar.deleteEvent(ev.id), calendar.deleteEvent(ev.id), calendar.getEvent(ev.id)]
            """);

        Assert.That(result![0]!.GetValue<string>(), Is.EqualTo("Big planning"));
        Assert.That(result[1]!.GetValue<string>(), Is.EqualTo("Hall"));
        Assert.That(result[2]!.GetValue<string>(), Is.EqualTo("Q1"), "fields not given stay as they were");
        Assert.That(result[3]!.GetValue<string>(), Is.EqualTo("2026-12-02T09:00:00.000Z"));
        Assert.That(result[4]!.GetValue<string>(), Is.EqualTo("2026-12-02T11:00:00.000Z"));
        Assert.That(result[5]!.ToJsonString(), Is.EqualTo("[{\"name\":\"alice\",\"status\":\"accepted\"},{\"name\":\"bob\",\"status\":\"pending\"}]"));
        Assert.That(result[6]!.GetValue<bool>(), Is.True);
        Assert.That(result[7]!.GetValue<bool>(), Is.True);
        Assert.That(result[8]!.GetValue<bool>(), Is.False, "deleting twice: the second finds nothing");
        Assert.That(result[9], Is.Null);
    }

    [TestCase("calendar.createCalendar({ description: 'x' })", "name is required")]
    [TestCase("calendar.createCalendar('Team')", "must be an object")]
    [TestCase("calendar.createEvent({ calendarId: 42, title: 't', start: '2026-12-01T09:00:00Z', end: '2026-12-01T10:00:00Z' })", "calendar 42 does not exist")]
    [TestCase("calendar.createEvent({ calendarId: cal.id, title: 't', start: '2026-12-01T10:00:00Z', end: '2026-12-01T09:00:00Z' })", "must be after start")]
    [TestCase("calendar.createEvent({ calendarId: cal.id, title: 't', start: 'tomorrow', end: '2026-12-01T09:00:00Z' })", "ISO 8601")]
    [TestCase("calendar.createEvent({ calendarId: cal.id, start: '2026-12-01T09:00:00Z', end: '2026-12-01T10:00:00Z' })", "title is required")]
    [TestCase("calendar.updateEvent(999, { title: 'x' })", "event 999 does not exist")]
    [TestCase("calendar.reschedule(ev.id, '2026-12-01T10:00:00Z', '2026-12-01T10:00:00Z')", "must be after start")]
    [TestCase("calendar.respond(ev.id, 'mallory', 'accepted')", "mallory is not an attendee")]
    [TestCase("calendar.respond(ev.id, 'alice', 'maybe')", "accepted, declined, tentative")]
    [TestCase("calendar.cancelEvent(ev.id); calendar.cancelEvent(ev.id)", "is cancelled")]
    [TestCase("calendar.cancelEvent(ev.id); calendar.respond(ev.id, 'alice', 'accepted')", "is cancelled")]
    [TestCase("calendar.getEvent('abc')", "event id must be a positive whole number")]
    [TestCase("calendar.getEvent('\\uD800')", "calendar.getEvent was given a string that is not Unicode text (a lone surrogate)")]
    [TestCase("calendar.updateEvent(ev.id, { attendees: ['a\\uDC00'] })", "calendar.updateEvent was given a string that is not Unicode text (a lone surrogate)")]
    public async Task InvalidCalendarOperation_ThrowsAnErrorSayingWhy(string call, string says)
    {
        var message = await Fails(TestRedis.NewCircle("cal"), Setup + call);

        Assert.That(message, Does.Contain(says));
    }

    [Test]
    public async Task AnEntityPastTheSizeLimit_IsRefused_NewOrChanged_AndNothingIsStored()
    {
        var circle = TestRedis.NewCircle("cal");
        var created = await Fails(circle, "calendar.createCalendar({ name: 'x'.repeat(300 * 1024) })");
        var changed = await Fails(circle, Setup + "calendar.updateEvent(ev.id, { description: 'y'.repeat(300 * 1024) })");

        Assert.That(created, Does.Match(@"the calendar would take \d+ bytes of JSON; one may take at most 262144\."));
        Assert.That(changed, Does.Match(@"the event would take \d+ bytes of JSON; one may take at most 262144\."));
        var left = await Run(circle, "[calendar.listCalendars().length, calendar.getEvent(1).description]");
        Assert.That(left!.ToJsonString(), Is.EqualTo("[1,\"Q1\"]"), "only the Setup's calendar, and its event unchanged");
    }

    [Test]
    public async Task ModuleErrors_AreCatchableByTheScript()
    {
        var result = await Run(TestRedis.NewCircle("cal"), """
            try { calendar.updateEvent(7, {}); 'no error' } catch (e) { e instanceof Error ? e.message : 'not an Error' }
            """);

        Assert.That(result!.GetValue<string>(), Is.EqualTo("event 7 does not exist."));
    }

    [Test]
    public async Task ScriptsGetCopies_NotLiveObjects()
    {
        var result = await Run(TestRedis.NewCircle("cal"), """
            const c = calendar.createCalendar({ name: 'Original' });
            c.name = 'changed locally';
            [calendar.getCalendar(c.id).name, typeof c.GetType, Object.isFrozen(calendar), typeof calendar.createCalendar.constructor]
            """);

        Assert.That(result!.ToJsonString(), Is.EqualTo("[\"Original\",\"undefined\",true,\"function\"]"));
    }
}
