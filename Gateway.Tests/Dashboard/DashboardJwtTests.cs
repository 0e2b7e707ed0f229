using Gateway.Tests.Infrastructure;
using Gateway.Tests.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Tests.Dashboard;

/// <summary>
/// The dashboard against an Api process that takes JWTs (HS256, no identity provider): a pasted
/// token is sent as a bearer token and shows the circles it grants, and only those.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DashboardJwtTests
{
    private const string Issuer = "https://idp.test/realms/dashboard";
    private const string Audience = "gateway-dashboard";
    private const string SigningKey = "dashboard-jwt-signing-key-0123456789-abcdef";

    private readonly string _circleA = TestRedis.NewCircle("ja");
    private readonly string _circleB = TestRedis.NewCircle("jb");
    private HostProcess _api = null!;
    private IPage? _page;

    private static string Mint(string subject, object? circles, TimeSpan? expiresIn = null) =>
        JwtAuthTests.Mint(subject, circles, Issuer, Audience, SigningKey, expiresIn);

    [OneTimeSetUp]
    public async Task StartApi()
    {
        var settings = DashboardBrowser.Settings();
        settings["Gateway:Auth:Jwt:Issuer"] = Issuer;
        settings["Gateway:Auth:Jwt:Audience"] = Audience;
        settings["Gateway:Auth:Jwt:SigningKey"] = SigningKey;
        _api = await HostProcess.StartAsync("Gateway.Api", settings);
        using var admin = _api.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", Mint("operator", "*"));
        foreach (var circle in new[] { _circleA, _circleB })
        {
            var done = await admin.SubmitAsync(circle, new { script = $"'a task of {circle}'" }, wait: 30);
            Assert.That(done.TaskStatus, Is.EqualTo("completed"), done.ToString());
        }
    }

    [OneTimeTearDown]
    public async Task StopApi()
    {
        if (_api is not null)
            await _api.DisposeAsync();
    }

    [TearDown]
    public async Task Close()
    {
        if (_page is not null)
            await _page.Context.CloseAsync();
    }

    /// <summary>Pastes the token into the sign-in form and returns the headers of the request that checked it.</summary>
    private async Task<Dictionary<string, string>> SignInAsync(string token)
    {
        _page = await DashboardBrowser.OpenAsync(_api, "#/");
        await _page.FillAsync("#credential", token);
        var check = await _page.RunAndWaitForRequestAsync(
            () => _page.ClickAsync(".key-prompt button[type=submit]"),
            request => request.Url.EndsWith("/api/circles", StringComparison.Ordinal));
        return await check.AllHeadersAsync();
    }

    [Test]
    public async Task PastedJwt_IsSentAsABearerToken_AndTheOverviewShowsTheCirclesItGrants()
    {
        var token = Mint("svc-dashboard", _circleA);

        var headers = await SignInAsync(token);
        var page = _page!;

        Assert.That(headers.GetValueOrDefault("authorization"), Is.EqualTo("Bearer " + token));
        Assert.That(headers.ContainsKey("x-api-key"), Is.False, "a token is not sent as an API key");
        await Expect(page.Locator($"tr[data-circle='{_circleA}'] th")).ToHaveTextAsync(_circleA);
        await Expect(page.Locator($"tr[data-circle='{_circleA}'] .ok-text")).ToHaveTextAsync("1✓");
        await page.Locator("#live[data-stream='open']").WaitForAsync();
        Assert.That(await page.Locator($"tr[data-circle='{_circleB}']").CountAsync(), Is.Zero);
        Assert.That(await page.ContentAsync(), Does.Not.Contain(_circleB));
        Assert.That(await page.EvaluateAsync<string?>("sessionStorage.getItem('gateway.credential')"), Is.EqualTo(token));

        // Its own circle's page loads with its task; a circle the token does not grant shows the refusal.
        await page.ClickAsync($"tr[data-circle='{_circleA}'] th a");
        await Expect(page.Locator("#tasks tbody tr[data-task]")).ToHaveCountAsync(1);
        await page.GotoAsync($"/dashboard#/circles/{_circleB}");
        var refusal = page.Locator("main [role=alert]");
        await Expect(refusal).ToContainTextAsync("Not allowed (403)");
        await Expect(refusal).ToContainTextAsync($"The token of 'svc-dashboard' does not grant circle '{_circleB}'");
        await Expect(page.Locator("main h1")).ToHaveTextAsync($"Circle {_circleB}");
        Assert.That(await page.Locator("#tasks").CountAsync(), Is.Zero, "no task table for a refused circle");
        Assert.That(await page.Locator("#credential").CountAsync(), Is.Zero, "a 403 keeps the token: it is valid, only not for this circle");
    }

    [Test]
    public async Task PastedJwt_WithoutAnyGrant_ListsNoCircle_AndACirclePageShowsTheRefusal()
    {
        await SignInAsync(Mint("svc-nothing", circles: null));
        var page = _page!;

        await Expect(page.Locator("#circles tr.empty")).ToHaveTextAsync("No circle this key or token may use has had a task yet.");
        await page.GotoAsync($"/dashboard#/circles/{_circleA}");
        await Expect(page.Locator("main [role=alert]")).ToContainTextAsync($"Not allowed (403): The token of 'svc-nothing' does not grant circle '{_circleA}'");
        var problems = await Accessibility.SeriousViolationsAsync(page);
        Assert.That(problems, Is.Empty, string.Join('\n', problems));
        await page.GotoAsync($"/dashboard#/circles/{_circleA}/tasks/{new string('0', 32)}");
        await Expect(page.Locator("main [role=alert]")).ToContainTextAsync("Not allowed (403)");
    }

    [Test]
    public async Task ExpiredJwt_IsRefused_AsAToken_AndNotKept()
    {
        await SignInAsync(Mint("svc-late", _circleA, expiresIn: TimeSpan.FromMinutes(-5)));
        var page = _page!;

        await Expect(page.Locator("#credential-error")).ToHaveTextAsync("That token was not accepted (401). Check it and try again.");
        Assert.That(await page.Locator("#circles").CountAsync(), Is.Zero);
        Assert.That(await page.EvaluateAsync<string?>("sessionStorage.getItem('gateway.credential')"), Is.Null);
    }
}
