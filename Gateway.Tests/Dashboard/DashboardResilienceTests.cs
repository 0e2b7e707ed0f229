using Gateway.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Tests.Dashboard;

/// <summary>
/// The dashboard when things go wrong around it, in a real headless Chromium against real Api
/// processes: addresses that name nothing, a stream dropped while tasks finish, Redis gone, and
/// runs that overlap.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DashboardResilienceTests
{
    private IPage? _page;

    [TearDown]
    public async Task Close()
    {
        await DashboardBrowser.CloseAsync(_page);
        _page = null;
    }

    private async Task<IPage> OpenAsync(HostProcess api, string hash)
    {
        _page = await DashboardBrowser.OpenAsync(api, hash);
        return _page;
    }

    [TestCase("#/circles/%E0")]
    [TestCase("#/circles/..")]
    [TestCase("#/circles/.")]
    [TestCase("#/circles/demo/tasks/not-a-task-id")]
    [TestCase("#/circles/%2E%2E/tasks/0123456789abcdef0123456789abcdef")]
    public async Task AnAddressNamingNoCircleOrTask_IsNotFound_AndCallsNoApi(string hash)
    {
        // From a page that reads nothing more once it is up.
        var page = await OpenAsync(DashboardBrowser.OpenApi, "#/submit?circle=demo");
        await page.Locator("#run").WaitForAsync();
        var calls = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/api/", StringComparison.Ordinal))
                lock (calls)
                    calls.Add(request.Url);
        };

        await page.EvaluateAsync("hash => { location.hash = hash; }", hash);

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape(hash) + "$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Not found");
        await page.WaitForTimeoutAsync(500);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Not found");
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-stream", "idle");
        lock (calls)
            Assert.That(calls, Is.Empty, "a name the server cannot have never reaches an API path");
    }

    [Test]
    public async Task Submit_ASecondRunWhileTheFirstIsFollowed_ShowsOnlyTheSecond()
    {
        var api = DashboardBrowser.OpenApi;
        var circle = TestRedis.NewCircle("sub2");
        var page = await OpenAsync(api, $"#/submit?circle={circle}");
        await page.FillAsync("#wait", "0");
        await page.FillAsync("#args", "{}");
        // The first run outlasts the second: its end must not replace what the panel shows.
        await page.FillAsync("#script", "const end = Date.now() + 2500; while (Date.now() < end) {} 'first'");
        await page.ClickAsync("#run");
        var first = await page.Locator("#result-link").TextContentAsync();
        await page.FillAsync("#script", "'second'");
        await page.ClickAsync("#run");
        await Expect(page.Locator("#result-json")).ToHaveTextAsync("\"second\"");
        var second = await page.Locator("#result-link").TextContentAsync();

        using var http = api.CreateClient();
        var firstDone = await http.GetTaskAsync(circle, first!, wait: 20);
        Assert.That(firstDone.Result!.GetValue<string>(), Is.EqualTo("first"), firstDone.ToString());
        await Task.Delay(1000); // the first run's end has had time to reach the page

        Assert.That(second, Is.Not.EqualTo(first));
        await Expect(page.Locator("#result-link")).ToHaveTextAsync(second!);
        await Expect(page.Locator("#result-json")).ToHaveTextAsync("\"second\"");
    }

    [Test]
    public async Task CircleView_StreamDroppedWhileATaskFinished_ShowsItFinishedOnceReconnected()
    {
        // An Api without workers, restarted on its port under the page; the task runs in a worker process meanwhile.
        var circle = TestRedis.NewCircle("drop");
        var noWorkers = new Dictionary<string, string> { ["Gateway:Workers:Enabled"] = "false" };
        await using var worker = await HostProcess.StartWorkerAsync(new Dictionary<string, string> { ["Gateway:Workers:Circles:0"] = circle });
        var api = await HostProcess.StartAsync("Gateway.Api", noWorkers);
        var port = api.Port;
        try
        {
            using var http = api.CreateClient();
            var submitted = await http.SubmitAsync(circle, new { script = "const end = Date.now() + 4000; while (Date.now() < end) {} 42" });
            var page = await OpenAsync(api, $"#/circles/{circle}");
            await page.Locator("#live[data-stream='open']").WaitForAsync();
            var row = page.Locator($"tr[data-task='{submitted.Id}'] .badge");
            await Expect(row).ToHaveTextAsync("processing");

            await api.DisposeAsync();
            await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-stream", "retrying");
            // Finished while nothing could tell the page.
            await WaitUntilAsync(async () => (string?)await TestRedis.Connection.GetDatabase()
                .HashGetAsync(Gateway.Core.Redis.RedisKeys.Task(circle, submitted.Id), "status") == "completed", "the task never completed");
            api = await HostProcess.StartAsync("Gateway.Api", noWorkers, port: port);

            await page.Locator("#live[data-stream='open']").WaitForAsync(new() { Timeout = 15_000 });
            await Expect(row).ToHaveTextAsync("completed");
        }
        finally
        {
            await api.DisposeAsync();
        }
    }

    [Test]
    public async Task Overview_WhileRedisIsDown_ShowsHealthAndSaysTheFiguresFail_ThenRecovers()
    {
        using var redis = new RestartableRedis();
        await using var api = await HostProcess.StartAsync("Gateway.Api", new Dictionary<string, string> { ["ConnectionStrings:Redis"] = redis.ConnectionString });
        var circle = TestRedis.NewCircle("down");
        using var http = api.CreateClient();
        await http.SubmitAsync(circle, new { script = "1" }, wait: 10);
        redis.Stop();

        var page = await OpenAsync(api, "#/");

        // The page stands: health says why, the circles section says its figures fail.
        await Expect(page.Locator("#health-status .badge")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("unhealthy|degraded"), new() { Timeout = 15_000 });
        await Expect(page.Locator("#circles-error")).ToBeVisibleAsync();
        await Expect(page.Locator("#circles-error")).ToContainTextAsync("503");
        await Expect(page.Locator("#workers-title")).ToBeVisibleAsync();

        redis.Start();
        // The five-second refresh finds it back, without a reload.
        await Expect(page.Locator($"tr[data-circle='{circle}']")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator("#circles-error")).ToBeHiddenAsync();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        for (var i = 0; i < 300; i++)
        {
            if (await condition())
                return;
            await Task.Delay(100);
        }
        Assert.Fail(failure);
    }
}
