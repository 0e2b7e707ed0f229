using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;
using Gateway.Tests.Rhai;

namespace Gateway.Tests.Modules;

/// <summary>
/// calendar, flow and legal as Rhai static modules: the rules the JavaScript tests check, in
/// snake case, with object maps in and out, and one store shared with JavaScript tasks.
/// </summary>
[TestFixture]
public sealed class RhaiModuleTests : ModuleFixture
{
    private async Task<JsonNode?> RunRhai(string circle, string script)
    {
        var task = await Client.RunRhaiAsync(circle, script);
        Assert.That(task.TaskStatus, Is.EqualTo("completed"), task.ToString());
        return task.Result;
    }

    private async Task<string> FailsRhai(string circle, string script)
    {
        var task = await Client.RunRhaiAsync(circle, script);
        Assert.That(task.ErrorCode, Is.EqualTo("script_error"), task.ToString());
        return task.Message();
    }

    private const string CalendarSetup = """
        let cal = calendar::create_calendar(#{ name: "Team", description: "team events" });
        let ev = calendar::create_event(#{ calendar_id: cal.id, title: "Planning", start: "2026-12-01T09:00:00Z",
            end: "2026-12-01T10:00:00Z", location: "Room 1", attendees: ["alice", "bob"] });
        """;

    [Test]
    public async Task Calendar_CreateGetList_ReturnMapsWithSnakeCaseKeys_AndIntIds()
    {
        var result = await RunRhai(TestRedis.NewCircle("rcal"), CalendarSetup + """
            calendar::create_calendar(#{ name: "Private" });
            [cal, calendar::get_calendar(cal.id), calendar::list_calendars().map(|c| c.name), calendar::get_calendar(99),
             ev, calendar::get_event(ev.id), type_of(cal.id), type_of(ev)]
            """);

        var cal = result![0]!;
        Assert.That(cal["id"]!.GetValue<long>(), Is.EqualTo(1));
        Assert.That(cal["created_at"]!.GetValue<string>(), Does.Match(@"^\d{4}-\d\d-\d\dT.*Z$"));
        Assert.That(result[1]!.ToJsonString(), Is.EqualTo(cal.ToJsonString()));
        Assert.That(result[2]!.ToJsonString(), Is.EqualTo("[\"Team\",\"Private\"]"));
        Assert.That(result[3], Is.Null);
        var ev = result[4]!;
        Assert.That(ev["calendar_id"]!.GetValue<long>(), Is.EqualTo(1));
        Assert.That(ev["start"]!.GetValue<string>(), Is.EqualTo("2026-12-01T09:00:00.000Z"));
        Assert.That(ev["attendees"]!.ToJsonString(), Is.EqualTo("[{\"name\":\"alice\",\"status\":\"pending\"},{\"name\":\"bob\",\"status\":\"pending\"}]"));
        Assert.That(result[5]!.ToJsonString(), Is.EqualTo(ev.ToJsonString()));
        Assert.That(result[6]!.GetValue<string>(), Is.EqualTo("i64"));
        Assert.That(result[7]!.GetValue<string>(), Is.EqualTo("map"));
    }

    [Test]
    public async Task Calendar_ChangesAnEvent_ThroughEveryFunction()
    {
        var result = await RunRhai(TestRedis.NewCircle("rcal"), CalendarSetup + """
            calendar::create_event(#{ calendar_id: cal.id, title: "Later", start: "2026-12-05T09:00:00Z", end: "2026-12-05T10:00:00Z" });
            let updated = calendar::update_event(ev.id, #{ title: "Big planning" });
            let moved = calendar::reschedule(ev.id, "2026-12-02T09:00:00Z", "2026-12-02T11:00:00Z");
            let answered = calendar::respond(ev.id, "alice", "accepted");
            let all = calendar::list_events(cal.id).map(|e| e.title);
            let week = calendar::list_events(cal.id, #{ from: "2026-12-01", to: "2026-12-03" }).map(|e| e.title);
            let cancelled = calendar::cancel_event(ev.id);
            [updated.title, updated.location, moved.end, answered.attendees[0].status, all, week, cancelled.cancelled,
             calendar::delete_event(ev.id), calendar::delete_event(ev.id)]
            """);

        Assert.That(result!.ToJsonString(), Is.EqualTo(
            "[\"Big planning\",\"Room 1\",\"2026-12-02T11:00:00.000Z\",\"accepted\",[\"Big planning\",\"Later\"],[\"Big planning\"],true,true,false]"));
    }

    [Test]
    public async Task Flow_RunsToTheEnd_ThroughEveryFunction()
    {
        var result = await RunRhai(TestRedis.NewCircle("rflow"), """
            let f = flow::create_flow(#{ name: "Onboarding", steps: [#{ name: "review", signers: ["bob"] }, #{ name: "approve" }] });
            let other = flow::create_flow(#{ name: "Doomed", steps: [#{ name: "s" }] });
            let started = flow::start(f.id);
            let signed = flow::sign(f.id, 0, "bob");
            let next = flow::complete_step(f.id, 0);
            let done = flow::complete_step(f.id, 1);
            flow::start(other.id);
            let failed = flow::fail(other.id, "budget cut");
            [f.current_step, started.status, signed.steps[0].signers[0].signed_at != (), next.current_step, done.status,
             failed.failure_reason, flow::get_flow(f.id).status, flow::list_flows().len(), flow::list_flows(#{ status: "failed" }).len()]
            """);

        Assert.That(result!.ToJsonString(), Is.EqualTo("[0,\"in_progress\",true,1,\"completed\",\"budget cut\",\"completed\",2,1]"));
    }

    [Test]
    public async Task Legal_TakesContractsToTheirEnds_ThroughEveryFunction()
    {
        var result = await RunRhai(TestRedis.NewCircle("rlegal"), """
            let c = legal::create_contract(#{ title: "NDA", terms: "v1", signers: [#{ name: "alice", email: "a@example.com" }, #{ name: "bob" }],
                start_date: "2026-12-01", end_date: "2027-12-01" });
            let revised = legal::revise(c.id, #{ terms: "v2", comment: "tightened" });
            legal::send(c.id);
            let half = legal::sign(c.id, "alice");
            let done = legal::sign(c.id, "bob");
            let d = legal::create_contract(#{ title: "Other", terms: "t", signers: [#{ name: "x" }] });
            legal::send(d.id);
            let rejected = legal::reject(d.id, "x", "too broad");
            let e = legal::cancel(legal::create_contract(#{ title: "Third", terms: "t", signers: [#{ name: "y" }] }).id);
            [c.start_date, revised.version, half.status, done.status, done.signers[0].signed_at != (), rejected.signers[0].reason,
             e.status, legal::get_contract(c.id).status, legal::list_contracts().len(), legal::list_contracts(#{ status: "signed" }).len()]
            """);

        Assert.That(result!.ToJsonString(), Is.EqualTo(
            "[\"2026-12-01T00:00:00.000Z\",2,\"pending_signatures\",\"signed\",true,\"too broad\",\"cancelled\",\"signed\",3,1]"));
    }

    [Test]
    public async Task ModuleErrors_AreCatchable_AsTheirMessage()
    {
        var result = await RunRhai(TestRedis.NewCircle("rcal"), """
            let caught = "no error";
            try { calendar::update_event(7, #{}); } catch (e) { caught = e; }
            let typed = "no error";
            try { flow::start("abc"); } catch (e) { typed = type_of(e); }
            [caught, typed]
            """);

        Assert.That(result!.ToJsonString(), Is.EqualTo("[\"event 7 does not exist.\",\"string\"]"));
    }

    [TestCase("calendar::create_event(#{ title: \"t\", start: \"2026-12-01T09:00:00Z\", end: \"2026-12-01T10:00:00Z\" })", "calendar_id is required.")]
    [TestCase("calendar::create_event(#{ calendar_id: \"one\" })", "the event is not valid: calendar_id has the wrong type.")]
    [TestCase("legal::create_contract(#{ title: \"t\", terms: \"t\", signers: [#{ name: \"a\" }], start_date: \"2027-01-01\", end_date: \"2026-01-01\" })",
        "end_date (2026-01-01T00:00:00.000Z) must be after start_date")]
    [TestCase("flow::list_flows(#{ status: \"done\" })", "created, in_progress, completed, failed")]
    [TestCase("legal::send(12)", "contract 12 does not exist")]
    public async Task InvalidOperation_UncaughtIsScriptError_NamingFieldsInSnakeCase(string call, string says)
    {
        var message = await FailsRhai(TestRedis.NewCircle("rerr"), call);

        Assert.That(message, Does.Contain(says));
    }

    [Test]
    public async Task UnknownFunction_OrWrongArgumentCount_IsScriptError()
    {
        var circle = TestRedis.NewCircle("rerr");

        Assert.That(await FailsRhai(circle, "calendar::createCalendar(#{ name: \"x\" })"), Does.Contain("createCalendar"));
        Assert.That(await FailsRhai(circle, "calendar::get_calendar()"), Does.Contain("get_calendar"));
    }

    [Test]
    public async Task SameCircle_SharesItsEntities_BetweenJavaScriptAndRhai()
    {
        var circle = TestRedis.NewCircle("shared");
        var fromJs = await Run(circle, """
            const cal = calendar.createCalendar({ name: 'Shared' });
            calendar.createEvent({ calendarId: cal.id, title: 'Sync', start: '2026-12-01T09:00:00Z', end: '2026-12-01T10:00:00Z', attendees: ['alice'] }).id
            """);

        var fromRhai = await RunRhai(circle, $$"""
            let ev = calendar::get_event({{fromJs!.GetValue<double>()}});
            calendar::respond(ev.id, "alice", "declined");
            let next = calendar::create_event(#{ calendar_id: ev.calendar_id, title: "Follow-up", start: "2026-12-02T09:00:00Z", end: "2026-12-02T10:00:00Z" });
            [ev.title, next.id]
            """);
        var backInJs = await Run(circle, "[calendar.getEvent(1).attendees[0].status, calendar.listEvents(1).map(e => e.title), calendar.getEvent(2).calendarId]");

        Assert.That(fromRhai!.ToJsonString(), Is.EqualTo("[\"Sync\",2]"));
        Assert.That(backInJs!.ToJsonString(), Is.EqualTo("[\"declined\",[\"Sync\",\"Follow-up\"],1]"));
    }

    [Test]
    public async Task RhaiModuleState_IsPerCircle()
    {
        var a = TestRedis.NewCircle("riso-a");
        var b = TestRedis.NewCircle("riso-b");
        await RunRhai(b, "legal::create_contract(#{ title: \"B\", terms: \"t\", signers: [#{ name: \"x\" }] })");

        var seen = await RunRhai(a, "[legal::list_contracts().len(), legal::get_contract(1)]");

        Assert.That(seen!.ToJsonString(), Is.EqualTo("[0,null]"));
    }
}
