using Gateway.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Tests.Dashboard;

/// <summary>
/// Swagger UI against an Api with API keys, in the real browser: "Try it out" is refused until
/// the key is given through <b>Authorize</b>, and then runs the example submit.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SwaggerAuthorizeTests
{
    private const string Key = "swagger-ui-key-for-its-circle";

    private readonly string _circle = TestRedis.NewCircle("swagger");
    private HostProcess _api = null!;

    [OneTimeSetUp]
    public async Task StartApi()
    {
        var settings = DashboardBrowser.Settings();
        settings["Gateway:Auth:ApiKeys:0:Name"] = "swagger";
        settings["Gateway:Auth:ApiKeys:0:Key"] = Key;
        settings["Gateway:Auth:ApiKeys:0:Circles:0"] = _circle;
        _api = await HostProcess.StartAsync("Gateway.Api", settings);
    }

    [OneTimeTearDown]
    public async Task StopApi()
    {
        if (_api is not null)
            await _api.DisposeAsync();
    }

    [Test]
    public async Task TryItOut_IsRefusedWithoutAKey_AndRunsTheSubmitAfterAuthorize()
    {
        var context = await DashboardBrowser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = $"http://127.0.0.1:{_api.Port}" });
        context.SetDefaultTimeout(20_000);
        try
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync("/swagger/index.html");

            var submit = page.Locator(".opblock-post").Filter(new LocatorFilterOptions
            {
                Has = page.Locator(".opblock-summary-path[data-path='/api/circles/{circle}/tasks']"),
            });
            await submit.Locator(".opblock-summary").First.ClickAsync();
            await submit.Locator("button.try-out__btn").ClickAsync();
            await submit.Locator("tr[data-param-name='circle'] input").FillAsync(_circle);
            await submit.Locator("tr[data-param-name='wait'] input").FillAsync("10");

            var status = submit.Locator(".live-responses-table td.response-col_status:not(.col_header)").First;
            await submit.Locator("button.execute").ClickAsync();
            await Expect(status).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("401"));

            // Authorize: the ApiKey scheme takes the key; the modal closes.
            await page.Locator(".auth-wrapper button.authorize").ClickAsync();
            var scheme = page.Locator(".modal-ux .auth-container").Filter(new LocatorFilterOptions { HasText = "X-Api-Key" });
            await scheme.Locator("input").First.FillAsync(Key);
            await scheme.Locator("button.authorize").ClickAsync();
            await page.Locator(".modal-ux button.btn-done").First.ClickAsync();

            await submit.Locator("button.execute").ClickAsync();
            await Expect(status).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("200"));
            var body = await submit.Locator(".live-responses-table .response-col_description pre:not(.headers)").First.InnerTextAsync();
            Assert.That(body, Does.Contain("\"completed\"").And.Contain(_circle));
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
