using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Gateway.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Tests.Dashboard;

/// <summary>
/// What the circle page and the overview show beside the task list: registered scripts,
/// schedules, and delayed tasks in the Scheduled figures.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class DashboardCircleSectionsTests
{
    private static HostProcess Api => DashboardBrowser.OpenApi;

    private HttpClient _http = null!;
    private IPage? _page;

    [SetUp]
    public void CreateClient() => _http = Api.CreateClient();

    [TearDown]
    public async Task Close()
    {
        if (_page is not null)
            await _page.Context.CloseAsync();
        _http.Dispose();
    }

    [GeneratedRegex(@"^\d{1,2}:\d{2}:\d{2}$")]
    private static partial Regex ClockTime();

    private async Task<ApiResponse> PutAsync(string url, object body) =>
        await GatewayClient.ReadAsync(await _http.PutAsJsonAsync(url, body));

    /// <summary>The instant as the page writes it in a time element's datetime (JavaScript's toISOString).</summary>
    private static string IsoOf(ApiResponse response, string field) =>
        DateTimeOffset.Parse(response.Body![field]!.GetValue<string>(), CultureInfo.InvariantCulture)
            .UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    [Test]
    public async Task CircleView_RegisteredScriptsAndSchedules_AreListedWithTheirFields()
    {
        var circle = TestRedis.NewCircle("reg");
        var greet1 = await PutAsync($"/api/circles/{circle}/scripts/greet", new { script = "'hi ' + args.name", description = "Says hello" });
        var greet2 = await PutAsync($"/api/circles/{circle}/scripts/greet", new { script = "'hello ' + args.name", description = "Says hello" });
        var tally = await PutAsync($"/api/circles/{circle}/scripts/tally", new { script = "40 + 2", language = "rhai" });
        Assert.That(greet1.Status, Is.EqualTo(HttpStatusCode.Created), greet1.ToString());
        Assert.That(greet2.Body!["version"]!.GetValue<int>(), Is.EqualTo(2), greet2.ToString());
        Assert.That(tally.Status, Is.EqualTo(HttpStatusCode.Created), tally.ToString());
        // Daily, so its next run cannot move while the test reads it.
        var nightly = await PutAsync($"/api/circles/{circle}/schedules/nightly",
            new { cron = "30 3 * * *", timeZone = "Europe/Brussels", scriptName = "greet", scriptVersion = 1, args = new { name = "night" }, priority = 7,
                retry = new { attempts = 2, backoffMs = 500, factor = 3 } });
        var paused = await PutAsync($"/api/circles/{circle}/schedules/paused", new { cron = "*/5 * * * *", script = "1", enabled = false });
        Assert.That(nightly.Status, Is.EqualTo(HttpStatusCode.Created), nightly.ToString());
        Assert.That(paused.Status, Is.EqualTo(HttpStatusCode.Created), paused.ToString());

        _page = await DashboardBrowser.OpenAsync(Api, $"#/circles/{circle}");

        var scripts = _page.Locator("#scripts tbody tr");
        await Expect(scripts).ToHaveCountAsync(2);
        await Expect(_page.Locator("#scripts tbody tr:has(th:text-is('greet')) > *"))
            .ToHaveTextAsync([new Regex("^greet$"), new Regex("^2$"), new Regex("^javascript$"), new Regex("^Says hello$"), ClockTime(), new Regex("^Show$"), new Regex("^Run$"), new Regex("^Delete$")]);
        await Expect(_page.Locator("#scripts tbody tr:has(th:text-is('tally')) > *"))
            .ToHaveTextAsync([new Regex("^tally$"), new Regex("^1$"), new Regex("^rhai$"), new Regex("^$"), ClockTime(), new Regex("^Show$"), new Regex("^Run$"), new Regex("^Delete$")]);
        await Expect(_page.Locator("#scripts tbody tr:has(th:text-is('greet')) time"))
            .ToHaveAttributeAsync("datetime", IsoOf(greet2, "createdAt"));
        // Its text, the latest version's, on asking; hidden on asking again.
        var show = _page.GetByRole(AriaRole.Button, new() { Name = "Show script greet", Exact = true });
        await show.ClickAsync();
        await Expect(_page.Locator("#scripts tr[data-script='greet'] code")).ToHaveTextAsync("1'hello ' + args.name\n");
        await Expect(_page.GetByRole(AriaRole.Button, new() { Name = "Hide script greet", Exact = true })).ToHaveAttributeAsync("aria-expanded", "true");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Hide script greet", Exact = true }).ClickAsync();
        await Expect(_page.Locator("#scripts tr[data-script]")).ToHaveCountAsync(0);
        await Expect(scripts).ToHaveCountAsync(2);

        var schedules = _page.Locator("#schedules tbody tr");
        await Expect(schedules).ToHaveCountAsync(2);
        // Name, cron, time zone, what it runs (the registered script, and the version it is pinned to), enabled, next run, last run, last task, priority, retry policy.
        await Expect(_page.Locator("#schedules tbody tr:has(th:text-is('nightly')) > *")).ToHaveTextAsync(
            [new Regex("^nightly$"), new Regex(@"^30 3 \* \* \*$"), new Regex("^Europe/Brussels$"), new Regex("^greet v1$"),
             new Regex("^yes Disable$"), ClockTime(), new Regex("^—$"), new Regex("^—$"), new Regex("^7$"), new Regex("^2, after 500 ms ×3$"), new Regex("^Delete$")]);
        await Expect(_page.Locator("#schedules tbody tr:has(th:text-is('nightly')) td:nth-child(6) time"))
            .ToHaveAttributeAsync("datetime", IsoOf(nightly, "nextRunAt"));
        var pausedCells = _page.Locator("#schedules tbody tr:has(th:text-is('paused')) > *");
        await Expect(pausedCells.Nth(1)).ToHaveTextAsync("*/5 * * * *");
        await Expect(pausedCells.Nth(2)).ToHaveTextAsync("UTC");
        await Expect(pausedCells.Nth(3)).ToHaveTextAsync("inline script");
        await Expect(pausedCells.Nth(4)).ToHaveTextAsync("no Enable");
        await Expect(pausedCells.Nth(8)).ToHaveTextAsync("0");
        await Expect(pausedCells.Nth(9)).ToHaveTextAsync("—");

        // Enable turns the flag and keeps the rest of the definition; the table is read again.
        await _page.GetByRole(AriaRole.Button, new() { Name = "Enable schedule paused", Exact = true }).ClickAsync();
        await Expect(pausedCells.Nth(4)).ToHaveTextAsync("yes Disable");
        var enabled = await GatewayClient.ReadAsync(await _http.GetAsync($"/api/circles/{circle}/schedules/paused"));
        Assert.That(enabled.Body!["enabled"]!.GetValue<bool>(), Is.True, enabled.ToString());
        Assert.That(enabled.Body!["cron"]!.GetValue<string>(), Is.EqualTo("*/5 * * * *"));
        Assert.That(enabled.Body!["script"]!.GetValue<string>(), Is.EqualTo("1"));
        await Expect(pausedCells.Nth(5).Locator("time")).ToHaveAttributeAsync("datetime", IsoOf(enabled, "nextRunAt"));
        // Disable on the schedule of a registered script pinned to a version keeps its name, version, args, priority and retry policy.
        await _page.GetByRole(AriaRole.Button, new() { Name = "Disable schedule nightly", Exact = true }).ClickAsync();
        await Expect(_page.Locator("#schedules tbody tr:has(th:text-is('nightly')) > *").Nth(4)).ToHaveTextAsync("no Enable");
        var disabled = await GatewayClient.ReadAsync(await _http.GetAsync($"/api/circles/{circle}/schedules/nightly"));
        Assert.That(disabled.Body!["enabled"]!.GetValue<bool>(), Is.False, disabled.ToString());
        Assert.That(disabled.Body!["scriptName"]!.GetValue<string>(), Is.EqualTo("greet"));
        Assert.That(disabled.Body!["scriptVersion"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(disabled.Body!["args"]!["name"]!.GetValue<string>(), Is.EqualTo("night"));
        Assert.That(disabled.Body!["priority"]!.GetValue<int>(), Is.EqualTo(7));
        Assert.That(disabled.Body!["retry"]!.ToJsonString(), Is.EqualTo("""{"attempts":2,"backoffMs":500,"factor":3}"""), "the retry policy too");
        Assert.That(disabled.Body!["timeZone"]!.GetValue<string>(), Is.EqualTo("Europe/Brussels"));
    }

    [Test]
    public async Task CircleView_RunOfARegisteredScript_OpensSubmitWithIt_WhichRunsItsLatestVersionByName()
    {
        var circle = TestRedis.NewCircle("runreg");
        await PutAsync($"/api/circles/{circle}/scripts/greet", new { script = "'hi ' + args.name" });
        var latest = await PutAsync($"/api/circles/{circle}/scripts/greet", new { script = "'hello ' + args.name" });
        await PutAsync($"/api/circles/{circle}/scripts/tally", new { script = "40 + 2", language = "rhai" });
        Assert.That(latest.Body!["version"]!.GetValue<int>(), Is.EqualTo(2), latest.ToString());
        _page = await DashboardBrowser.OpenAsync(Api, $"#/circles/{circle}");

        await _page.GetByRole(AriaRole.Link, new() { Name = "Run greet", Exact = true }).ClickAsync();

        await Expect(_page).ToHaveURLAsync(new Regex(Regex.Escape($"#/submit?circle={circle}&script=greet") + "$"));
        await Expect(_page.Locator("#script-name")).ToHaveValueAsync("greet");
        await Expect(_page.Locator("#script-name option")).ToHaveTextAsync(["The script written below", "greet", "tally"]);
        await Expect(_page.Locator("#script-name-hint")).ToHaveTextAsync("Its latest version, 2, in javascript.");
        await Expect(_page.Locator("#script")).ToBeHiddenAsync();
        await Expect(_page.Locator("#language")).ToBeHiddenAsync();
        await _page.FillAsync("#args", """{ "name": "Ann" }""");
        await _page.ClickAsync("#run");

        await Expect(_page.Locator("#result-json")).ToHaveTextAsync("\"hello Ann\"");
        var id = await _page.Locator("#result-link").TextContentAsync();
        var stored = await _http.GetTaskAsync(circle, id!);
        Assert.That(stored.Body!["scriptName"]!.GetValue<string>(), Is.EqualTo("greet"));
        Assert.That(stored.Body!["scriptVersion"]!.GetValue<int>(), Is.EqualTo(2));

        // The other registered script runs in its own language; the text written below, in the one chosen.
        await _page.SelectOptionAsync("#script-name", "tally");
        await _page.ClickAsync("#run");
        await Expect(_page.Locator("#result-json")).ToHaveTextAsync("42");
        await _page.SelectOptionAsync("#script-name", "");
        await Expect(_page.Locator("#script")).ToBeVisibleAsync();
        await _page.FillAsync("#script", "args.name.length");
        await _page.ClickAsync("#run");
        await Expect(_page.Locator("#result-json")).ToHaveTextAsync("3");
        var written = await _http.GetTaskAsync(circle, (await _page.Locator("#result-link").TextContentAsync())!);
        Assert.That(written.Body!["scriptName"]?.GetValue<string>(), Is.Null);
    }

    [Test]
    public async Task CircleView_DeleteOfAScriptAndASchedule_AsksFirst_ThenTheRowGoes_AndTheApiHasItNoMore()
    {
        var circle = TestRedis.NewCircle("delreg");
        await PutAsync($"/api/circles/{circle}/scripts/greet", new { script = "'hi'" });
        await PutAsync($"/api/circles/{circle}/scripts/keep", new { script = "1" });
        await PutAsync($"/api/circles/{circle}/schedules/nightly", new { cron = "30 3 * * *", scriptName = "greet" });
        _page = await DashboardBrowser.OpenAsync(Api, $"#/circles/{circle}");
        await Expect(_page.Locator("#scripts tbody tr")).ToHaveCountAsync(2);
        var asked = new List<string>();
        var accept = false;
        _page.Dialog += async (_, dialog) =>
        {
            asked.Add(dialog.Message);
            if (accept)
                await dialog.AcceptAsync();
            else
                await dialog.DismissAsync();
        };

        // Dismissed: nothing is deleted.
        await _page.GetByRole(AriaRole.Button, new() { Name = "Delete script greet", Exact = true }).ClickAsync();
        await Expect(_page.Locator("#scripts tbody tr")).ToHaveCountAsync(2);
        Assert.That((await _http.GetAsync($"/api/circles/{circle}/scripts/greet")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        accept = true;
        await _page.GetByRole(AriaRole.Button, new() { Name = "Delete script greet", Exact = true }).ClickAsync();
        await Expect(_page.Locator("#scripts tbody tr:has(th:text-is('greet'))")).ToHaveCountAsync(0);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Delete schedule nightly", Exact = true }).ClickAsync();
        await Expect(_page.Locator("#schedules tbody tr")).ToHaveCountAsync(0);

        Assert.That(asked, Has.Count.EqualTo(3));
        Assert.That(asked[1], Does.StartWith($"Delete script greet of circle {circle}, every version of it?"));
        Assert.That(asked[2], Does.StartWith($"Delete schedule nightly of circle {circle}?"));
        Assert.That((await _http.GetAsync($"/api/circles/{circle}/scripts/greet")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await _http.GetAsync($"/api/circles/{circle}/scripts/keep")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _http.GetAsync($"/api/circles/{circle}/schedules/nightly")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await Accessibility.SeriousViolationsAsync(_page), Is.Empty, "the script and schedule tables with their buttons");
    }

    [Test]
    public async Task Submit_RegistersTheScriptWritten_AndSchedulesTheTask_WhichTheCirclePageThenLists()
    {
        var circle = TestRedis.NewCircle("keep");
        _page = await DashboardBrowser.OpenAsync(Api, $"#/submit?circle={circle}");
        await Expect(_page.Locator("#script-name-hint")).ToHaveTextAsync("The circle has no registered script.");
        await _page.FillAsync("#script", "args.n * 3");
        await _page.FillAsync("#args", """{ "n": 5 }""");
        await _page.FillAsync("#keep-name", "triple");

        await _page.ClickAsync("#register");

        await Expect(_page.Locator("#keep-note")).ToContainTextAsync("triple version 1, registered");
        await Expect(_page.Locator("#script-name option")).ToHaveTextAsync(["The script written below", "triple"]);
        var registered = await GatewayClient.ReadAsync(await _http.GetAsync($"/api/circles/{circle}/scripts/triple"));
        Assert.That(registered.Body!["script"]!.GetValue<string>(), Is.EqualTo("args.n * 3"), registered.ToString());

        // A schedule of the registered script; a bad cron is refused, naming it, and stores nothing.
        await _page.SelectOptionAsync("#script-name", "triple");
        await Expect(_page.Locator("#register")).ToBeHiddenAsync();
        await _page.FillAsync("#keep-name", "yearly");
        await _page.FillAsync("#cron", "not a cron");
        await _page.ClickAsync("#schedule");
        await Expect(_page.Locator("#keep-note [role='alert']")).ToContainTextAsync("cron");
        Assert.That((await _http.GetAsync($"/api/circles/{circle}/schedules/yearly")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        await _page.FillAsync("#cron", "0 0 1 1 *");
        await _page.FillAsync("#time-zone", "Europe/Brussels");
        await _page.FillAsync("#priority", "4");
        await _page.FillAsync("#retries", "3");
        await _page.FillAsync("#backoff", "0");
        await _page.FillAsync("#delay", "500");
        await _page.ClickAsync("#schedule");

        await Expect(_page.Locator("#keep-note")).ToContainTextAsync("The delay is for Run only, and was not used. Schedule yearly next runs at");
        var stored = await GatewayClient.ReadAsync(await _http.GetAsync($"/api/circles/{circle}/schedules/yearly"));
        Assert.That(stored.Body!["scriptName"]!.GetValue<string>(), Is.EqualTo("triple"), stored.ToString());
        Assert.That(stored.Body!["script"], Is.Null, stored.ToString());
        Assert.That(stored.Body!["cron"]!.GetValue<string>(), Is.EqualTo("0 0 1 1 *"));
        Assert.That(stored.Body!["timeZone"]!.GetValue<string>(), Is.EqualTo("Europe/Brussels"));
        Assert.That(stored.Body!["args"]!["n"]!.GetValue<int>(), Is.EqualTo(5));
        Assert.That(stored.Body!["priority"]!.GetValue<int>(), Is.EqualTo(4));
        Assert.That(stored.Body!["retry"]!.ToJsonString(), Is.EqualTo("""{"attempts":3,"backoffMs":0,"factor":2}"""));
        Assert.That(await Accessibility.SeriousViolationsAsync(_page), Is.Empty, "the submit page with its Keep it section");

        await _page.ClickAsync("#keep-note a");
        await Expect(_page.Locator("#schedules tbody tr:has(th:text-is('yearly'))")).ToHaveCountAsync(1);
        await Expect(_page.Locator("#schedules tbody tr:has(th:text-is('yearly')) > *").Nth(9)).ToHaveTextAsync("3, at once");
        await Expect(_page.Locator("#scripts tbody tr:has(th:text-is('triple'))")).ToHaveCountAsync(1);
    }

    [Test]
    public async Task CircleView_ScheduleThatHasFired_ShowsItsLastRunAndLinksItsTask()
    {
        var circle = TestRedis.NewCircle("fired");
        // Once a minute, at a second just ahead: it fires soon, then stays still while the page reads it.
        var second = (DateTimeOffset.UtcNow.Second + 3) % 60;
        var put = await PutAsync($"/api/circles/{circle}/schedules/ticker", new { cron = $"{second} * * * * *", script = "'tick'" });
        Assert.That(put.Status, Is.EqualTo(HttpStatusCode.Created), put.ToString());
        ApiResponse schedule;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), "the schedule never fired");
            await Task.Delay(100);
            schedule = await GatewayClient.ReadAsync(await _http.GetAsync($"/api/circles/{circle}/schedules/ticker"));
        }
        while (schedule.Body?["lastTaskId"] is null);
        var taskId = schedule.Body!["lastTaskId"]!.GetValue<string>();

        _page = await DashboardBrowser.OpenAsync(Api, $"#/circles/{circle}");

        var cells = _page.Locator("#schedules tbody tr:has(th:text-is('ticker')) > *");
        await Expect(cells.Nth(3)).ToHaveTextAsync("inline script");
        await Expect(cells.Nth(6).Locator("time")).ToHaveAttributeAsync("datetime", IsoOf(schedule, "lastRunAt"));
        await Expect(cells.Nth(5).Locator("time")).ToHaveAttributeAsync("datetime", IsoOf(schedule, "nextRunAt"));
        await Expect(cells.Nth(7)).ToHaveTextAsync(taskId);
        await cells.Nth(7).Locator("a").ClickAsync();
        await Expect(_page.Locator("main h1 .mono")).ToHaveTextAsync(taskId);
        await Expect(_page.Locator("#task-status [data-status]")).ToHaveAttributeAsync("data-status", "completed");
        await Expect(_page.Locator("#task-result")).ToHaveTextAsync("\"tick\"");
        await Expect(_page.Locator("dl.facts dt:text-is('Schedule') + dd")).ToHaveTextAsync("ticker");
        await Expect(_page.Locator("dl.facts dt:text-is('Caller') + dd")).ToHaveTextAsync("schedule:ticker");
        (await _http.DeleteAsync($"/api/circles/{circle}/schedules/ticker")).Dispose();
    }

    [Test]
    public async Task CircleView_NoScriptAndNoSchedule_SaysSo()
    {
        var circle = TestRedis.NewCircle("none");
        await _http.SubmitAsync(circle, new { script = "1" }, wait: 30);

        _page = await DashboardBrowser.OpenAsync(Api, $"#/circles/{circle}");

        await Expect(_page.Locator("#scripts")).ToHaveTextAsync("No registered script.");
        await Expect(_page.Locator("#schedules")).ToHaveTextAsync("No schedule.");
        await Expect(_page.Locator("#scripts table")).ToHaveCountAsync(0);
        await Expect(_page.Locator("#schedules table")).ToHaveCountAsync(0);
    }

    [Test]
    public async Task DelayedTasks_AreCountedAsScheduled_OnTheOverviewAndTheCirclePage()
    {
        var circle = TestRedis.NewCircle("sch");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var submitted = await _http.SubmitAsync(circle, new { script = "1", delayMs = 120_000 });
            Assert.That(submitted.TaskStatus, Is.EqualTo("scheduled"), submitted.ToString());
            ids.Add(submitted.Id);
        }

        try
        {
            _page = await DashboardBrowser.OpenAsync(Api, "#/");
            // Pending, scheduled, processing, queue depth.
            var cells = _page.Locator($"tr[data-circle='{circle}'] td.num");
            await Expect(cells).ToHaveTextAsync(["0", "3", "0", "0", "3"]);
            await _page.Locator("#live[data-stream='open']").WaitForAsync();

            // One of them cancelled: the figures follow live.
            var cancelled = await GatewayClient.ReadAsync(await _http.DeleteAsync($"/api/circles/{circle}/tasks/{ids[0]}"));
            Assert.That(cancelled.TaskStatus, Is.EqualTo("cancelled"), cancelled.ToString());
            await Expect(cells).ToHaveTextAsync(["0", "2", "0", "0", "2"]);

            await _page.ClickAsync($"tr[data-circle='{circle}'] th a");
            await Expect(_page.Locator("[data-figure='scheduled']")).ToHaveTextAsync("2");
            await Expect(_page.Locator("[data-figure='pending']")).ToHaveTextAsync("0");
            await Expect(_page.Locator("[data-figure='processing']")).ToHaveTextAsync("0");
            await Expect(_page.Locator("#tasks tbody tr[data-task] [data-status='scheduled']")).ToHaveCountAsync(2);
        }
        finally
        {
            foreach (var id in ids.Skip(1))
                (await _http.DeleteAsync($"/api/circles/{circle}/tasks/{id}")).Dispose();
        }
    }

    [Test]
    public async Task CircleView_MoreTasksThanAPage_OlderTasksReadsTheNextPage_WithTheStatusFilterToo()
    {
        // One completed task, then more failed ones than one filtered read of the list looks through.
        var circle = TestRedis.NewCircle("older");
        var completed = await _http.SubmitAsync(circle, new { script = "'long ago'" }, wait: 30);
        Assert.That(completed.TaskStatus, Is.EqualTo("completed"), completed.ToString());
        var newer = Gateway.Core.Redis.TaskReader.MaxScanned + 50;
        for (var done = 0; done < newer; done += 1000)
        {
            var count = Math.Min(1000, newer - done);
            var batch = await GatewayClient.ReadAsync(await _http.PostAsJsonAsync($"/api/circles/{circle}/tasks/batch?wait=60",
                new { tasks = Enumerable.Repeat(new { script = "throw new Error('newer')" }, count) }));
            Assert.That(batch.Status, Is.EqualTo(HttpStatusCode.OK), batch.ToString());
        }

        _page = await DashboardBrowser.OpenAsync(Api, $"#/circles/{circle}");
        var rows = _page.Locator("#tasks tbody tr[data-task]");
        var older = _page.Locator("#older-tasks");
        await Expect(rows).ToHaveCountAsync(100);
        await older.ClickAsync();
        await Expect(rows).ToHaveCountAsync(200);
        var (last, next) = (await rows.Nth(99).GetAttributeAsync("data-task"), await rows.Nth(100).GetAttributeAsync("data-task"));
        Assert.That(string.CompareOrdinal(next, last), Is.LessThan(0), "the older page comes after, newest first");
        // A task submitted now adds a row; the oldest read stays.
        var oldest = await rows.Nth(199).GetAttributeAsync("data-task");
        await _http.SubmitAsync(circle, new { script = "throw new Error('now')" }, wait: 30);
        await Expect(rows).ToHaveCountAsync(201);
        await Expect(rows.Last).ToHaveAttributeAsync("data-task", oldest!);

        // Completed: none among the newest the read looked through; "Older tasks" finds it, then the list has ended.
        await _page.Locator("#status-filter").SelectOptionAsync("completed");
        await Expect(_page.Locator("#tasks tbody")).ToContainTextAsync("No task matches among those read");
        await older.ClickAsync();
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToHaveAttributeAsync("data-task", completed.Body!["id"]!.GetValue<string>());
        await Expect(older).ToBeHiddenAsync();

        // Failed tasks have an index of their own: a full page at once.
        await _page.Locator("#status-filter").SelectOptionAsync("failed");
        await Expect(rows).ToHaveCountAsync(100);
        await Expect(older).ToBeVisibleAsync();
        Assert.That(await Accessibility.SeriousViolationsAsync(_page), Is.Empty, "the task list with its Older tasks button");
    }

    [Test]
    public async Task CircleView_PauseKeepsTasksWaiting_ResumeRunsThem_AndTheOverviewMarksThePausedCircle()
    {
        var circle = TestRedis.NewCircle("pause");
        await _http.SubmitAsync(circle, new { script = "1" }, wait: 30);
        _page = await DashboardBrowser.OpenAsync(Api, $"#/circles/{circle}");
        var button = _page.Locator("#pause-circle");
        await Expect(button).ToHaveTextAsync("Pause");

        await button.ClickAsync();
        await Expect(button).ToHaveTextAsync("Resume");
        await Expect(_page.Locator("#pause-note")).ToContainTextAsync("Paused");
        var waiting = await _http.SubmitAsync(circle, new { script = "'after the pause'" });
        await Expect(_page.Locator($"tr[data-task='{waiting.Id}'] [data-status]")).ToHaveTextAsync("pending");
        Assert.That(await Accessibility.SeriousViolationsAsync(_page), Is.Empty, "the circle page with its Resume button");

        await _page.GotoAsync("/dashboard#/");
        await Expect(_page.Locator($"tr:has(a[href='#/circles/{circle}']) [data-paused]")).ToHaveTextAsync("paused");

        await _page.GotoAsync($"/dashboard#/circles/{circle}");
        await button.ClickAsync();
        await Expect(button).ToHaveTextAsync("Pause");
        await Expect(_page.Locator($"tr[data-task='{waiting.Id}'] [data-status]")).ToHaveTextAsync("completed");
        Assert.That((await _http.GetTaskAsync(circle, waiting.Id)).TaskStatus, Is.EqualTo("completed"));
    }

    [Test]
    public async Task CircleView_CancelWaitingTasks_AsksFirst_ThenCancelsThePendingAndScheduled_AndLeavesTheRunningOne()
    {
        var circle = TestRedis.NewCircle("drain");
        var running = await _http.SubmitAsync(circle, new { script = Scripts.BusyFor(1500) });
        await _http.WaitForStatusAsync(circle, running.Id, "processing");
        Assert.That((await GatewayClient.ReadAsync(await _http.PostAsync($"/api/circles/{circle}/pause", null))).Status, Is.EqualTo(HttpStatusCode.OK));
        var pending = await _http.SubmitAsync(circle, new { script = "1" });
        var scheduled = await _http.SubmitAsync(circle, new { script = "2", delayMs = 600_000 });
        _page = await DashboardBrowser.OpenAsync(Api, $"#/circles/{circle}");
        var button = _page.Locator("#drain-circle");
        await Expect(_page.Locator("[data-figure='pending']")).ToHaveTextAsync("1");

        var answers = new Queue<bool>([false, true]);
        var asked = new List<string>();
        _page.Dialog += async (_, dialog) =>
        {
            asked.Add(dialog.Message);
            if (answers.Dequeue())
                await dialog.AcceptAsync();
            else
                await dialog.DismissAsync();
        };
        await button.ClickAsync();
        await Expect(button).ToBeEnabledAsync();
        Assert.That((await _http.GetTaskAsync(circle, pending.Id)).TaskStatus, Is.EqualTo("pending"), "dismissed: nothing cancelled");
        await button.ClickAsync();

        await Expect(_page.Locator("#circle-action-note")).ToHaveTextAsync("Cancelled 2 waiting tasks.");
        await Expect(_page.Locator($"tr[data-task='{pending.Id}'] [data-status]")).ToHaveTextAsync("cancelled");
        await Expect(_page.Locator($"tr[data-task='{scheduled.Id}'] [data-status]")).ToHaveTextAsync("cancelled");
        await Expect(_page.Locator("[data-figure='pending']")).ToHaveTextAsync("0");
        Assert.That(asked, Has.Count.EqualTo(2));
        Assert.That(asked[1], Is.EqualTo($"Cancel every task waiting in circle {circle} (1 pending and 1 scheduled now)? Running tasks go on."));
        Assert.That(await Accessibility.SeriousViolationsAsync(_page), Is.Empty, "the circle page after a drain");
        await _http.PostAsync($"/api/circles/{circle}/resume", null);
        Assert.That((await _http.GetTaskAsync(circle, running.Id, wait: 10)).TaskStatus, Is.EqualTo("completed"), "the running task went on");
    }

    [Test]
    public async Task CircleView_RetryFailedTasks_AsksFirst_ThenRunsTheFailureAgain_AndSaysSo()
    {
        var circle = TestRedis.NewCircle("refail");
        var failed = await _http.SubmitAsync(circle, new { script = "throw new Error('once')" }, wait: 30);
        Assert.That(failed.TaskStatus, Is.EqualTo("failed"), failed.ToString());
        _page = await DashboardBrowser.OpenAsync(Api, $"#/circles/{circle}");
        string? asked = null;
        _page.Dialog += async (_, dialog) => { asked = dialog.Message; await dialog.AcceptAsync(); };
        await Expect(_page.Locator("[data-figure='failed']")).ToHaveTextAsync("1");

        await _page.Locator("#retry-failed").ClickAsync();

        await Expect(_page.Locator("#circle-action-note")).ToHaveTextAsync("Running 1 failed task again.");
        var reRun = (await _http.GetTaskAsync(circle, failed.Id)).Body!["retriedBy"]!.GetValue<string>();
        // The re-run is queued, claimed and run before the page can show it failed: on a loaded
        // machine that takes longer than the assertions' default 5 s, as for the other live rows.
        Assert.That((await _http.GetTaskAsync(circle, reRun, wait: 30)).TaskStatus, Is.EqualTo("failed"));
        await Expect(_page.Locator($"tr[data-task='{reRun}'] [data-status]")).ToHaveTextAsync("failed", new() { Timeout = 15_000 });
        await Expect(_page.Locator("[data-figure='failed']")).ToHaveTextAsync("2", new() { Timeout = 15_000 });
        Assert.That(asked, Is.EqualTo($"Run the failed tasks of circle {circle} again, each as a new task? Those already re-run are left out."));

        await _page.Locator("#retry-failed").ClickAsync();
        await Expect(_page.Locator("#circle-action-note")).ToHaveTextAsync("Running 1 failed task again.");
        Assert.That(await Accessibility.SeriousViolationsAsync(_page), Is.Empty, "the circle page with its Retry failed tasks button");
    }

    [Test]
    public async Task CircleView_ADomainViewLongerThanAPage_ShowsTheFirstHundred_SaysWhereTheRestAre_AndDeletesOne()
    {
        var circle = TestRedis.NewCircle("ents");
        var made = await _http.SubmitAsync(circle, new { script = "for (let i = 1; i <= 102; i++) calendar.createCalendar({ name: 'c' + i }); 'made'" }, wait: 30);
        Assert.That(made.TaskStatus, Is.EqualTo("completed"), made.ToString());
        await _http.SubmitAsync(circle, new { script = "flow.createFlow({ name: 'one', steps: [{ name: 's' }] })" }, wait: 30);

        _page = await DashboardBrowser.OpenAsync(Api, $"#/circles/{circle}");
        var more = _page.Locator("[data-more='calendars']");
        await Expect(more).ToContainTextAsync($"gw entities calendars --circle {circle} --after 100");
        await Expect(more).ToContainTextAsync($"GET /api/circles/{circle}/calendars?after=100");
        await Expect(_page.Locator("[aria-label='Calendars table'] tbody tr")).ToHaveCountAsync(100);
        await Expect(_page.Locator("[aria-label='Calendars table'] tbody tr").Last).ToContainTextAsync("c100");
        // A view that fits in one page says nothing more.
        await Expect(_page.Locator("[aria-label='Flows table'] tbody tr")).ToHaveCountAsync(1);
        await Expect(_page.Locator("[data-more]")).ToHaveCountAsync(1);
        Assert.That(await Accessibility.SeriousViolationsAsync(_page), Is.Empty, "the entity tables with their Delete buttons and the note");
        // On a phone's width the note wraps rather than widening the page.
        await _page.SetViewportSizeAsync(360, 740);
        var widths = await _page.EvaluateAsync<int[]>("[document.documentElement.scrollWidth, window.innerWidth]");
        var wide = await _page.EvaluateAsync<string>("[...document.querySelectorAll('body *')].filter(e => !e.parentElement.closest('.scroll') && e.getBoundingClientRect().right > innerWidth + 1).slice(0, 8).map(e => e.tagName + '.' + e.className + '[' + Math.round(e.getBoundingClientRect().right) + ']' + (e.parentElement ? '<' + e.parentElement.tagName + '.' + e.parentElement.className : '')).join(' | ')");
        Assert.That(widths[0], Is.LessThanOrEqualTo(widths[1]), "the page is wider than the screen: " + wide);
        await _page.SetViewportSizeAsync(1280, 860);

        // Delete, after the browser's confirm: the row goes, the API no longer has it, the figure shrinks.
        var entities = _page.Locator("[data-figure='entities']");
        var before = await entities.TextContentAsync();
        string? asked = null;
        _page.Dialog += async (_, dialog) => { asked = dialog.Message; await dialog.AcceptAsync(); };
        await _page.Locator("[aria-label='Flows table'] tr[data-entity='1'] button").ClickAsync();
        await Expect(_page.Locator("[aria-label='Flows table'] tr[data-entity='1']")).ToHaveCountAsync(0);
        Assert.That(asked, Does.StartWith($"Delete flow 1 of circle {circle}?"));
        Assert.That((await _http.GetAsync($"/api/circles/{circle}/flows/1")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        await Expect(entities).Not.ToHaveTextAsync(before!);

        // Deleted elsewhere while the page showed it: the click finds it gone, and the row goes all the same.
        Assert.That((await _http.DeleteAsync($"/api/circles/{circle}/calendars/7")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await _page.Locator("[aria-label='Calendars table'] tr[data-entity='7'] button").ClickAsync();
        await Expect(_page.Locator("[aria-label='Calendars table'] tr[data-entity='7']")).ToHaveCountAsync(0);
        await Expect(_page.Locator("[aria-label='Calendars table'] [role='alert']")).ToHaveCountAsync(0);
    }
}
