using Gateway.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Tests.Dashboard;

/// <summary>The dashboard against an Api process with API keys: it asks for one, and shows only that key's circles.</summary>
[TestFixture]
[NonParallelizable]
public sealed class DashboardAuthTests
{
    private const string KeyA = "dashboard-key-for-circle-a";
    private const string KeyB = "dashboard-key-for-circle-b";
    private const string AdminKey = "dashboard-key-for-every-circle";

    private readonly string _circleA = TestRedis.NewCircle("ka");
    private readonly string _circleB = TestRedis.NewCircle("kb");
    private HostProcess _api = null!;
    private HttpClient _admin = null!;
    private IPage? _page;

    [OneTimeSetUp]
    public async Task StartApi()
    {
        var settings = DashboardBrowser.Settings();
        void Key(int i, string name, string key, string circle)
        {
            settings[$"Gateway:Auth:ApiKeys:{i}:Name"] = name;
            settings[$"Gateway:Auth:ApiKeys:{i}:Key"] = key;
            settings[$"Gateway:Auth:ApiKeys:{i}:Circles:0"] = circle;
        }
        Key(0, "team-a", KeyA, _circleA);
        Key(1, "team-b", KeyB, _circleB);
        Key(2, "admin", AdminKey, "*");
        _api = await HostProcess.StartAsync("Gateway.Api", settings);
        _admin = _api.CreateClient();
        _admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        foreach (var circle in new[] { _circleA, _circleB })
        {
            var done = await _admin.SubmitAsync(circle, new { script = $"'a task of {circle}'" }, wait: 30);
            Assert.That(done.TaskStatus, Is.EqualTo("completed"), done.ToString());
        }
    }

    [OneTimeTearDown]
    public async Task StopApi()
    {
        _admin?.Dispose();
        if (_api is not null)
            await _api.DisposeAsync();
    }

    [TearDown]
    public async Task Close()
    {
        if (_page is not null)
            await _page.Context.CloseAsync();
    }

    private async Task<IPage> SignInAsync(string key)
    {
        _page = await DashboardBrowser.OpenAsync(_api, "#/");
        await _page.FillAsync("#credential", key);
        await _page.ClickAsync(".key-prompt button[type=submit]");
        return _page;
    }

    [Test]
    public async Task NoKey_ShowsTheKeyPromptAndNoCircle()
    {
        _page = await DashboardBrowser.OpenAsync(_api, "#/");

        await Expect(_page.Locator("#credential")).ToBeVisibleAsync();
        await Expect(_page.Locator("#credential")).ToBeFocusedAsync();
        Assert.That(await _page.Locator("#circles").CountAsync(), Is.Zero);
        var problems = await Accessibility.SeriousViolationsAsync(_page);
        Assert.That(problems, Is.Empty, string.Join('\n', problems));
    }

    [Test]
    public async Task WrongKey_SaysSoAndAsksAgain()
    {
        var page = await SignInAsync("not-a-key-this-gateway-knows");

        await Expect(page.Locator("#credential-error")).ToContainTextAsync("was not accepted (401)");
        Assert.That(await page.Locator("#circles").CountAsync(), Is.Zero);
        Assert.That(await page.EvaluateAsync<string?>("sessionStorage.getItem('gateway.credential')"), Is.Null,
            "a rejected key is not kept");
    }

    [Test]
    public async Task KeyForCircleA_ShowsCircleAAndNeverCircleB()
    {
        var page = await SignInAsync(KeyA);
        await page.Locator($"tr[data-circle='{_circleA}']").WaitForAsync();
        await page.Locator("#live[data-stream='open']").WaitForAsync();
        Assert.That(await page.EvaluateAsync<string?>("sessionStorage.getItem('gateway.credential')"), Is.EqualTo(KeyA));
        Assert.That(await page.EvaluateAsync<string?>("localStorage.length === 0 ? null : 'kept'"), Is.Null, "the key stays in the tab only");

        // While the page is live, both circles change: only A's change may reach it.
        var inB = await _admin.SubmitAsync(_circleB, new { script = "'secret of b'" }, wait: 30);
        var inA = await _admin.SubmitAsync(_circleA, new { script = "'news of a'" }, wait: 30);
        await Expect(page.Locator($"tr[data-circle='{_circleA}'] .ok-text")).ToHaveTextAsync("2✓");

        Assert.That(await page.Locator($"tr[data-circle='{_circleB}']").CountAsync(), Is.Zero);
        Assert.That(await page.ContentAsync(), Does.Not.Contain(_circleB).And.Not.Contain(inB.Id));

        // Asking for B's page by its address shows the refusal, not B's tasks.
        await page.GotoAsync($"/dashboard#/circles/{_circleB}");
        await Expect(page.Locator("main .error")).ToContainTextAsync("403");
        Assert.That(await page.Locator("#tasks tr[data-task]").CountAsync(), Is.Zero);
        Assert.That(inA.TaskStatus, Is.EqualTo("completed"));
    }
}
