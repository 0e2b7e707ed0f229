using System.Net;
using System.Text.RegularExpressions;
using Gateway.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gateway.Tests.Dashboard;

/// <summary>The task page's Retry button against the open Api: it makes the new task and shows it running to its end.</summary>
[TestFixture]
[NonParallelizable]
public sealed partial class DashboardRetryTests
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

    [GeneratedRegex("/tasks/([0-9a-f]{32})$")]
    private static partial Regex TaskAddress();

    /// <summary>Clicks Retry and returns the id of the task the page went to, which is not <paramref name="old"/>.</summary>
    private static async Task<string> RetryAsync(IPage page, string old)
    {
        await page.ClickAsync("#retry");
        // A hash change fires no load event, so WaitForURL does not fit: wait on the address itself.
        await page.WaitForFunctionAsync("old => /\\/tasks\\/[0-9a-f]{32}$/.test(location.hash) && !location.hash.endsWith(old)", old);
        return TaskAddress().Match(page.Url).Groups[1].Value;
    }

    [Test]
    public async Task Retry_OfACancelledTask_OpensTheNewTaskWhichCompletes_AndOffersNoRetryThere()
    {
        var circle = TestRedis.NewCircle("rc");
        // Delayed so that it is surely cancelled before it runs; a retry keeps the script and args, not the delay.
        var submitted = await _http.SubmitAsync(circle, new { script = "args.n * 2", args = new { n = 21 }, delayMs = 120_000 });
        Assert.That(submitted.TaskStatus, Is.EqualTo("scheduled"), submitted.ToString());
        var cancelled = await GatewayClient.ReadAsync(await _http.DeleteAsync($"/api/circles/{circle}/tasks/{submitted.Id}"));
        Assert.That(cancelled.TaskStatus, Is.EqualTo("cancelled"), cancelled.ToString());

        _page = await DashboardBrowser.OpenAsync(Api, $"#/circles/{circle}/tasks/{submitted.Id}");
        await Expect(_page.Locator("#task-status [data-status]")).ToHaveAttributeAsync("data-status", "cancelled");
        await Expect(_page.Locator("#retry")).ToBeVisibleAsync();
        await Expect(_page.Locator("#retry")).ToBeEnabledAsync();
        await Expect(_page.Locator("#task-result")).ToHaveCountAsync(0);

        var id = await RetryAsync(_page, submitted.Id);

        await Expect(_page.Locator("#task-status [data-status]")).ToHaveAttributeAsync("data-status", "completed");
        await Expect(_page.Locator("#task-result")).ToHaveTextAsync("42");
        var retryOf = _page.Locator("#retry-of");
        await Expect(retryOf).ToHaveTextAsync(submitted.Id);
        await Expect(retryOf).ToHaveAttributeAsync("href", $"#/circles/{circle}/tasks/{submitted.Id}");
        // A completed task cannot be retried: the button is not there at all.
        await Expect(_page.Locator("#retry")).ToBeHiddenAsync();
        Assert.That(await _page.Locator("#retry").IsVisibleAsync(), Is.False);

        var stored = await _http.GetTaskAsync(circle, id);
        Assert.That(stored.TaskStatus, Is.EqualTo("completed"), stored.ToString());
        Assert.That(stored.Body!["retryOf"]!.GetValue<string>(), Is.EqualTo(submitted.Id));
        Assert.That(stored.Result!.GetValue<double>(), Is.EqualTo(42));

        // The link leads back to the cancelled one, which still offers its retry and links the new one.
        await Expect(_page.Locator("#retried-by")).ToHaveCountAsync(0);
        await retryOf.ClickAsync();
        await Expect(_page.Locator("#task-status [data-status]")).ToHaveAttributeAsync("data-status", "cancelled");
        await Expect(_page.Locator("#retry")).ToBeVisibleAsync();
        await Expect(_page.Locator("#retried-by")).ToHaveTextAsync(id);
        await Expect(_page.Locator("#retried-by")).ToHaveAttributeAsync("href", $"#/circles/{circle}/tasks/{id}");
    }

    [Test]
    public async Task Retry_OfAFailedTask_RunsTheScriptAgain_AndThisTimeItSucceeds()
    {
        var circle = TestRedis.NewCircle("rf");
        // Fails when run before notBefore, succeeds after: the retry is clicked only once that instant has passed.
        var notBefore = DateTimeOffset.UtcNow.AddMilliseconds(300);
        const string script = "if (Date.now() < args.notBefore) throw new Error('too early');\n'ran after ' + args.notBefore";
        var failed = await _http.SubmitAsync(circle, new { script, args = new { notBefore = notBefore.ToUnixTimeMilliseconds() } }, wait: 30);
        Assert.That(failed.TaskStatus, Is.EqualTo("failed"), failed.ToString());

        _page = await DashboardBrowser.OpenAsync(Api, $"#/circles/{circle}/tasks/{failed.Id}");
        await Expect(_page.Locator("#error-message")).ToContainTextAsync("too early");
        await Expect(_page.Locator("#retry")).ToBeVisibleAsync();
        await Expect(_page.Locator("#cancel")).ToBeDisabledAsync();
        if (notBefore - DateTimeOffset.UtcNow is { Ticks: > 0 } left)
            await Task.Delay(left + TimeSpan.FromMilliseconds(20));

        var id = await RetryAsync(_page, failed.Id);

        await Expect(_page.Locator("#task-status [data-status]")).ToHaveAttributeAsync("data-status", "completed");
        await Expect(_page.Locator("#task-result")).ToHaveTextAsync($"\"ran after {notBefore.ToUnixTimeMilliseconds()}\"");
        await Expect(_page.Locator("#retry-of")).ToHaveTextAsync(failed.Id);
        await Expect(_page.Locator("#task-error")).ToHaveCountAsync(0);
        await Expect(_page.Locator("#retry")).ToBeHiddenAsync();

        var stored = await _http.GetTaskAsync(circle, id);
        Assert.That(stored.Body!["retryOf"]!.GetValue<string>(), Is.EqualTo(failed.Id));
        Assert.That(stored.TaskStatus, Is.EqualTo("completed"), stored.ToString());
        Assert.That((await _http.GetTaskAsync(circle, failed.Id)).TaskStatus, Is.EqualTo("failed"), "the old task stays as it was");
        Assert.That(stored.Status, Is.EqualTo(HttpStatusCode.OK));
    }
}
