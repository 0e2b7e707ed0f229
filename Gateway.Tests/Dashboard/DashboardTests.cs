using System.Diagnostics;
using Gateway.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Tests.Dashboard;

/// <summary>The dashboard in a real headless Chromium against a real, open Api process.</summary>
[TestFixture]
[NonParallelizable]
public sealed class DashboardTests
{
    private static HostProcess Api => DashboardBrowser.OpenApi;

    private HttpClient _http = null!;
    private IPage? _page;

    [SetUp]
    public void CreateClient() => _http = Api.CreateClient();

    [TearDown]
    public async Task Close()
    {
        await DashboardBrowser.CloseAsync(_page);
        _http.Dispose();
    }

    private async Task<IPage> OpenAsync(string hash, int width = 1280, int height = 860)
    {
        _page = await DashboardBrowser.OpenAsync(Api, hash, width, height);
        return _page;
    }

    /// <summary>Waits until the view's stream is open, so a change made next is one it sees.</summary>
    private static Task StreamOpenAsync(IPage page) =>
        page.Locator("#live[data-stream='open']").WaitForAsync(new() { Timeout = 10_000 });

    /// <summary>Clicks Run, and answers the body of the submit the page sent.</summary>
    private static async Task<System.Text.Json.Nodes.JsonNode> RunAndReadTheSubmitAsync(IPage page, string circle)
    {
        var sent = page.WaitForRequestAsync(r => r.Method == "POST" && r.Url.Contains($"/api/circles/{circle}/tasks"));
        await page.ClickAsync("#run");
        return System.Text.Json.Nodes.JsonNode.Parse((await sent).PostData!)!;
    }

    [Test]
    public async Task Overview_FirstSubmitToANewCircle_ListsItWithinOneSecondWithoutReload()
    {
        var page = await OpenAsync("#/");
        await StreamOpenAsync(page);
        await page.EvaluateAsync("window.__notReloaded = true");
        var circle = TestRedis.NewCircle("ov");

        var clock = Stopwatch.StartNew();
        var submitted = await _http.SubmitAsync(circle, new { script = "6 * 7" });
        await page.Locator($"tr[data-circle='{circle}']").WaitForAsync(new() { Timeout = 5_000 });
        var listedAfter = clock.Elapsed;

        Assert.That(submitted.Status, Is.EqualTo(System.Net.HttpStatusCode.Accepted), submitted.ToString());
        Assert.That(listedAfter, Is.LessThan(TimeSpan.FromSeconds(1)), "the new circle was listed too late");
        // The chart counts the completion live too, still without a reload.
        await Expect(page.Locator($"tr[data-circle='{circle}'] .ok-text")).ToHaveTextAsync("1✓");
        // Its figures follow: nothing pending or processing once the task is done.
        var cells = page.Locator($"tr[data-circle='{circle}'] td.num");
        await Expect(cells.Nth(0)).ToHaveTextAsync("0"); // pending
        await Expect(cells.Nth(2)).ToHaveTextAsync("0"); // processing
        await Expect(cells.Nth(3)).ToHaveTextAsync("0"); // failed
        // A failure is counted as it happens.
        await _http.SubmitAsync(circle, new { script = "throw new Error('no')" });
        await Expect(cells.Nth(3)).ToHaveTextAsync("1");
        Assert.That(await page.EvaluateAsync<bool>("window.__notReloaded === true"), Is.True);
        TestContext.Out.WriteLine($"listed {listedAfter.TotalMilliseconds:F0} ms after the submit began");

        await page.Locator("#workers tr[data-worker]").First.WaitForAsync();
        Assert.That(await page.Locator("#workers tr[data-worker]").CountAsync(), Is.GreaterThanOrEqualTo(1));

        // The API's readiness checks, each with its status and finding.
        await Expect(page.Locator("#health-status .badge")).ToHaveTextAsync("healthy");
        await Expect(page.Locator("#health tr[data-check]")).ToHaveCountAsync(3);
        await Expect(page.Locator("#health tr[data-check='redis'] .badge")).ToHaveTextAsync("healthy");
        await Expect(page.Locator("#health tr[data-check='redis'] td").Nth(1)).ToContainTextAsync("Redis answered in");
        await DashboardBrowser.ScreenshotAsync(page, "overview");
    }

    [Test]
    public async Task CircleView_TaskSubmittedByTheTest_AppearsAndTurnsCompletedLive()
    {
        var circle = TestRedis.NewCircle("cv");
        await _http.SubmitAsync(circle, new { script = "console.log('hello'); 1 + 1" }, wait: 30);
        await _http.SubmitAsync(circle, new { script = "throw new Error('out of stock')" }, wait: 30);
        var page = await OpenAsync($"#/circles/{circle}");
        await StreamOpenAsync(page);
        await page.EvaluateAsync("window.__notReloaded = true");

        var submitted = await _http.SubmitAsync(circle, new { script = Scripts.BusyFor(1500), timeoutMs = 10_000 });
        var row = page.Locator($"tr[data-task='{submitted.Id}']");
        await row.WaitForAsync(new() { Timeout = 3_000 });
        var first = await row.Locator("[data-status]").GetAttributeAsync("data-status");

        Assert.That(first, Is.AnyOf("pending", "processing"), "the task showed up already finished: the test did not see it change");
        await Expect(row.Locator("[data-status]")).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 10_000 });
        Assert.That(await page.EvaluateAsync<bool>("window.__notReloaded === true"), Is.True);
        // Newest first.
        Assert.That(await page.Locator("#tasks tbody tr").First.GetAttributeAsync("data-task"), Is.EqualTo(submitted.Id));

        // The id search narrows the list to the one task.
        await page.FillAsync("#id-search", submitted.Id[^10..]);
        await Expect(page.Locator("#tasks tbody tr[data-task]")).ToHaveCountAsync(1);
        await page.FillAsync("#id-search", "");
        await Expect(page.Locator("#tasks tbody tr[data-task]")).ToHaveCountAsync(3);
        await Expect(page.Locator("[data-figure='processing']")).ToHaveTextAsync("0");
        await Expect(page.Locator("[data-figure='entities']")).ToHaveTextAsync("0 B of 64 MiB");
        await page.Locator("#domain h3").First.WaitForAsync();
        await DashboardBrowser.ScreenshotAsync(page, "circle");
    }

    [Test]
    public async Task CircleView_StatusFilter_ShowsOnlyThatStatus()
    {
        var circle = TestRedis.NewCircle("cf");
        await _http.SubmitAsync(circle, new { script = "1" }, wait: 30);
        var failed = await _http.SubmitAsync(circle, new { script = "null.x" }, wait: 30);
        var page = await OpenAsync($"#/circles/{circle}");
        await Expect(page.Locator("#tasks tbody tr[data-task]")).ToHaveCountAsync(2);

        await page.SelectOptionAsync("#status-filter", "failed");

        await Expect(page.Locator("#tasks tbody tr[data-task]")).ToHaveCountAsync(1);
        Assert.That(await page.Locator("#tasks tbody tr[data-task]").GetAttributeAsync("data-task"), Is.EqualTo(failed.Id));
    }

    [Test]
    public async Task Submit_RunScript_ShowsItsResultInPlace()
    {
        var circle = TestRedis.NewCircle("sub");
        var page = await OpenAsync($"#/submit?circle={circle}");
        await page.FillAsync("#script", "console.log('multiplying', args.a, args.b);\nargs.a * args.b");
        await page.FillAsync("#args", """{ "a": 6, "b": 7 }""");

        await page.ClickAsync("#run");

        await Expect(page.Locator("#result-json")).ToHaveTextAsync("42");
        await Expect(page.Locator("#run-result [data-status]")).ToHaveAttributeAsync("data-status", "completed");
        var id = await page.Locator("#result-link").TextContentAsync();
        var stored = await _http.GetTaskAsync(circle, id!);
        Assert.That(stored.Result!.GetValue<double>(), Is.EqualTo(42));
        Assert.That(stored.Body!["output"]!.GetValue<string>(), Does.Contain("multiplying 6 7"));
        // The editor highlights what it holds.
        Assert.That(await page.Locator(".editor-view .tok-str").CountAsync(), Is.GreaterThanOrEqualTo(1));
        await DashboardBrowser.ScreenshotAsync(page, "submit");
    }

    [Test]
    public async Task Submit_KeyboardOnly_ReachesRunAndShowsTheResult()
    {
        var circle = TestRedis.NewCircle("kb");
        var page = await OpenAsync($"#/submit?circle={circle}");
        await page.FocusAsync("#script");
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync("args.n + 1");

        // Tab leaves the editor (no keyboard trap), then walks the fields to Run.
        await page.Keyboard.PressAsync("Tab");
        Assert.That(await page.EvaluateAsync<string>("document.activeElement.id"), Is.EqualTo("args"));
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync("""{"n": 41}""");
        foreach (var next in new[] { "timeout", "priority", "wait", "delay", "retries", "backoff", "factor", "run" })
        {
            await page.Keyboard.PressAsync("Tab");
            Assert.That(await page.EvaluateAsync<string>("document.activeElement.id"), Is.EqualTo(next));
        }
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.Locator("#result-json")).ToHaveTextAsync("42");
    }

    [Test]
    public async Task Submit_WithADelayAndRetries_IsScheduled_ThenFollowedLiveUntilItsLastRunFails()
    {
        var circle = TestRedis.NewCircle("later");
        var page = await OpenAsync($"#/submit?circle={circle}");
        await page.FillAsync("#script", "throw new Error('run ' + task.attempt)");
        await page.FillAsync("#wait", "0");
        await page.FillAsync("#delay", "300");
        await page.FillAsync("#retries", "2");
        await page.FillAsync("#backoff", "100");
        await page.FillAsync("#factor", "1.5");

        var body = await RunAndReadTheSubmitAsync(page, circle);
        Assert.That(body["delayMs"]!.GetValue<int>(), Is.EqualTo(300), body.ToJsonString());
        Assert.That(body["retry"]!.ToJsonString(), Is.EqualTo("""{"attempts":2,"backoffMs":100,"factor":1.5}"""));

        // Answered at once as scheduled, then followed live to the end of its third run.
        await Expect(page.Locator("#run-result [data-status]")).ToHaveAttributeAsync("data-status", "failed", new() { Timeout = 15_000 });
        await Expect(page.Locator("#run-result .error-card")).ToContainTextAsync("run 3");
        var id = await page.Locator("#result-link").TextContentAsync();
        var stored = await _http.GetTaskAsync(circle, id!);
        Assert.That(stored.Body!["attempts"]!.GetValue<int>(), Is.EqualTo(3), stored.ToString());
        var created = stored.Body!["createdAt"]!.GetValue<DateTimeOffset>();
        // Its last run began after the delay and both backoffs (100 ms, then 150 ms).
        Assert.That(stored.Body!["startedAt"]!.GetValue<DateTimeOffset>() - created, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(550)));
    }

    [Test]
    public async Task Submit_NotFinishedWithinTheWait_ShowsEachStateOfTheTaskAsItComes()
    {
        var circle = TestRedis.NewCircle("states");
        var page = await OpenAsync($"#/submit?circle={circle}");
        await page.FillAsync("#script", "const end = Date.now() + 1500; while (Date.now() < end) {} 42");
        await page.FillAsync("#wait", "0");
        await page.FillAsync("#delay", "300");
        await page.ClickAsync("#run");

        // Scheduled when answered; the stream then says pending and processing as bare states,
        // which the panel shows while it follows, before the whole task at the end.
        var badge = page.Locator("#run-result [data-status]");
        await Expect(badge).ToHaveAttributeAsync("data-status", "processing", new() { Timeout = 10_000 });
        await Expect(page.Locator("#run-result")).ToContainTextAsync("following it live");
        await Expect(badge).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 15_000 });
        await Expect(page.Locator("#result-json")).ToHaveTextAsync("42");
        await Expect(page.Locator("#run-result")).Not.ToContainTextAsync("following it live");
    }

    [Test]
    public async Task Submit_RetriesWithTheWaitFieldsEmpty_LeavesThemToTheApisDefaults()
    {
        var circle = TestRedis.NewCircle("dflt");
        var page = await OpenAsync($"#/submit?circle={circle}");
        await page.FillAsync("#script", "throw new Error('run ' + task.attempt)");
        await page.FillAsync("#retries", "1");
        await page.FillAsync("#backoff", "");
        await page.FillAsync("#factor", "");

        var body = await RunAndReadTheSubmitAsync(page, circle);

        Assert.That(body["retry"]!.ToJsonString(), Is.EqualTo("""{"attempts":1}"""));
        await Expect(page.Locator("#run-result [data-status]")).ToHaveAttributeAsync("data-status", "failed");
        await Expect(page.Locator("#run-result .error-card")).ToContainTextAsync("run 2");
    }

    [Test]
    public async Task Submit_NumberFieldHoldingText_IsRefusedByTheForm_NamingIt()
    {
        var circle = TestRedis.NewCircle("nan");
        var page = await OpenAsync($"#/submit?circle={circle}");
        await page.FocusAsync("#retries");
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync("e");

        await page.ClickAsync("#run");

        await Expect(page.Locator("#run-result [role='alert']")).ToHaveTextAsync("Retries (0–10) is not a number.");
        Assert.That(await page.EvaluateAsync<string>("document.activeElement.id"), Is.EqualTo("retries"));
        var tasks = await GatewayClient.ReadAsync(await _http.GetAsync($"/api/circles/{circle}/tasks"));
        Assert.That(tasks.Body!["tasks"]!.AsArray(), Is.Empty, "nothing was submitted");
    }

    [Test]
    public async Task TaskView_CancelOfARunningInfiniteLoop_StopsIt()
    {
        var circle = TestRedis.NewCircle("cx");
        var submitted = await _http.SubmitAsync(circle, new { script = "while (true) {}", timeoutMs = 60_000 });
        var page = await OpenAsync($"#/circles/{circle}/tasks/{submitted.Id}");
        await Expect(page.Locator("#task-status [data-status]")).ToHaveAttributeAsync("data-status", "processing", new() { Timeout = 10_000 });

        var clock = Stopwatch.StartNew();
        await page.ClickAsync("#cancel");
        await Expect(page.Locator("#task-status [data-status]")).ToHaveAttributeAsync("data-status", "cancelled", new() { Timeout = 10_000 });

        var stored = await _http.GetTaskAsync(circle, submitted.Id);
        Assert.That(stored.TaskStatus, Is.EqualTo("cancelled"), stored.ToString());
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(await page.Locator("#cancel").IsDisabledAsync(), Is.True, "a cancelled task offers no second cancel");
        // A cancelled task can be retried (DashboardRetryTests clicks it; not here, where it would loop for a minute).
        await Expect(page.Locator("#retry")).ToBeVisibleAsync();
    }

    [Test]
    public async Task TaskView_FailingScript_MarksItsLineAndShowsTheError()
    {
        var circle = TestRedis.NewCircle("fl");
        const string script = "// checks the order\nconst order = args;\nif (order.total > 100)\n  throw new Error('total too large: ' + order.total);\norder.total";
        var failed = await _http.SubmitAsync(circle, new { script, args = new { total = 250, items = new[] { "tea", "cups" } } }, wait: 30);
        Assert.That(failed.ErrorCode, Is.EqualTo("script_error"), failed.ToString());
        var line = failed.Body!["error"]!["line"]!.GetValue<int>();

        var page = await OpenAsync($"#/circles/{circle}/tasks/{failed.Id}");

        var marked = page.Locator(".code .line.failing");
        await Expect(marked).ToHaveCountAsync(1);
        Assert.That(line, Is.EqualTo(4));
        Assert.That(await marked.GetAttributeAsync("data-line"), Is.EqualTo("4"));
        Assert.That(await marked.TextContentAsync(), Does.Contain("throw new Error"));
        await Expect(page.Locator("#error-code")).ToHaveTextAsync("script_error");
        await Expect(page.Locator("#error-message")).ToContainTextAsync("total too large: 250");
        await Expect(page.Locator("#task-args")).ToContainTextAsync("\"tea\"");
        await Expect(page.Locator("#trace-id")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9a-f]{32}$"));
        await DashboardBrowser.ScreenshotAsync(page, "task");
    }

    [Test]
    public async Task TaskView_RunningTask_TurnsCompletedLive()
    {
        var circle = TestRedis.NewCircle("tl");
        // The page is open first, so the task is surely still running when the test reaches it.
        var page = await OpenAsync($"#/circles/{circle}");
        await StreamOpenAsync(page);
        var submitted = await _http.SubmitAsync(circle, new { script = Scripts.BusyFor(4000) + " + 1", timeoutMs = 15_000 });
        await page.ClickAsync($"tr[data-task='{submitted.Id}'] a");

        await Expect(page.Locator("#task-status [data-status]")).ToHaveAttributeAsync("data-status", new System.Text.RegularExpressions.Regex("pending|processing"));
        Assert.That(page.Url, Does.EndWith($"#/circles/{circle}/tasks/{submitted.Id}"));
        await Expect(page.Locator("#task-status [data-status]")).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 15_000 });
        await Expect(page.Locator("#task-result")).ToHaveTextAsync("4001");
    }

    [Test]
    public async Task TaskView_AReadThatLeftBeforeTheTaskFinished_NeverTurnsItBack()
    {
        var circle = TestRedis.NewCircle("ts");
        var page = await OpenAsync($"#/circles/{circle}");
        await StreamOpenAsync(page);
        // Scheduled a moment ahead, so the task page is open before the task leaves scheduled.
        var submitted = await _http.SubmitAsync(circle, new { script = Scripts.BusyFor(500), delayMs = 3000, timeoutMs = 15_000 });

        // The page's first read of the task goes through; each later one is answered 2.5 s after
        // the server read it, long after the task finished: a read overtaken by the stream.
        var reads = 0;
        var late = new List<string>();
        var lateDone = 0;
        await page.RouteAsync($"**/api/circles/{circle}/tasks/{submitted.Id}", async route =>
        {
            if (Interlocked.Increment(ref reads) == 1)
            {
                await route.ContinueAsync();
                return;
            }
            var response = await route.FetchAsync();
            var body = System.Text.Json.Nodes.JsonNode.Parse(await response.TextAsync())!;
            lock (late)
                late.Add(body["status"]!.GetValue<string>());
            await Task.Delay(2500);
            await route.FulfillAsync(new() { Response = response });
            Interlocked.Increment(ref lateDone);
        });
        await page.EvaluateAsync("hash => { location.hash = hash; }", $"#/circles/{circle}/tasks/{submitted.Id}");

        var status = page.Locator("#task-status [data-status]");
        await Expect(status).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 15_000 });
        await Expect(page.Locator("#task-result")).ToHaveTextAsync("500");
        // Wait for every late read to land, then give the page a moment to act on it.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((lateDone < 1 || lateDone < late.Count) && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        await page.WaitForTimeoutAsync(500);

        lock (late)
        {
            Assert.That(lateDone, Is.EqualTo(late.Count).And.GreaterThan(0), "the page read the task while it ran, and every such read was answered");
            Assert.That(late.Any(s => s is not ("completed" or "failed" or "cancelled")), Is.True, "at least one late answer was stale: " + string.Join(", ", late));
        }
        Assert.That(await status.GetAttributeAsync("data-status"), Is.EqualTo("completed"));
        Assert.That(await page.Locator("#task-result").TextContentAsync(), Is.EqualTo("500"));
    }

    [TestCase("#/", TestName = "{m}(overview)")]
    [TestCase("#/submit", TestName = "{m}(submit)")]
    [TestCase("circle", TestName = "{m}(circle)")]
    [TestCase("task", TestName = "{m}(task)")]
    public async Task Page_OnANarrowScreen_NeedsNoSidewaysScrolling(string view)
    {
        var hash = await HashOfAsync(view);
        var page = await OpenAsync(hash, width: 375, height: 740);
        await SettledAsync(page, view);

        var widths = await page.EvaluateAsync<int[]>("[document.documentElement.scrollWidth, window.innerWidth]");
        Assert.That(widths[0], Is.LessThanOrEqualTo(widths[1]), "the page is wider than the screen");
    }

    /// <summary>Waits until the view has drawn everything it loads (a live page never goes network-idle).</summary>
    private static async Task SettledAsync(IPage page, string view)
    {
        await page.Locator("main h1").First.WaitForAsync();
        switch (view)
        {
            case "#/":
                await StreamOpenAsync(page);
                await page.Locator("#workers").WaitForAsync();
                break;
            case "circle":
                await StreamOpenAsync(page);
                await page.Locator("#domain h3").First.WaitForAsync();
                break;
            case "task":
                await page.Locator(".code .line.failing").WaitForAsync();
                break;
            default:
                await page.Locator("#run").WaitForAsync();
                break;
        }
    }

    /// <summary>A page to look at: the overview, the submit form, or a circle / task with a finished failing task in it.</summary>
    private async Task<string> HashOfAsync(string view)
    {
        if (view.StartsWith('#'))
            return view;
        var circle = TestRedis.NewCircle("v");
        var failed = await _http.SubmitAsync(circle, new { script = "const x = 1;\nx.y.z", args = new { long_field_name = new string('x', 120) } }, wait: 30);
        return view == "circle" ? $"#/circles/{circle}" : $"#/circles/{circle}/tasks/{failed.Id}";
    }

    [TestCase("#/", TestName = "{m}(overview)")]
    [TestCase("#/submit", TestName = "{m}(submit)")]
    [TestCase("circle", TestName = "{m}(circle)")]
    [TestCase("task", TestName = "{m}(task)")]
    public async Task Page_Axe_FindsNoSeriousOrCriticalViolation(string view)
    {
        var hash = await HashOfAsync(view);
        var page = await OpenAsync(hash);
        await SettledAsync(page, view);

        var problems = await Accessibility.SeriousViolationsAsync(page);

        Assert.That(problems, Is.Empty, string.Join('\n', problems));
    }
}
