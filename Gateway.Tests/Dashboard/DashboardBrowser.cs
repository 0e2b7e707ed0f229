using Gateway.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Gateway.Tests.Dashboard;

/// <summary>
/// The headless Chromium the dashboard tests drive: Debian's <c>chromium</c> package, never a
/// downloaded browser. A missing browser fails the tests with how to install it; nothing is skipped.
/// Also starts one open (keyless) Api process the tests share.
/// </summary>
[SetUpFixture]
public sealed class DashboardBrowser
{
    public const string Variable = "GATEWAY_TEST_CHROMIUM";

    private static IPlaywright? _playwright;

    public static IBrowser Browser { get; private set; } = null!;

    /// <summary>An Api process with no keys configured, running its in-process workers.</summary>
    public static HostProcess OpenApi { get; private set; } = null!;

    /// <summary>Names the folder the screenshots go to; the README's (docs/dashboard) are refreshed with <c>GATEWAY_TEST_SCREENSHOTS=docs/dashboard</c>.</summary>
    public const string ScreenshotsVariable = "GATEWAY_TEST_SCREENSHOTS";

    /// <summary>
    /// Where the tests' screenshots go: the test run's own folder, so that a run leaves the
    /// repository as it was, or the folder <see cref="ScreenshotsVariable"/> names (relative to the repository).
    /// </summary>
    public static string ScreenshotDirectory { get; private set; } = "";

    /// <summary>Settings every dashboard Api starts from: none beyond the defaults, which each test extends.</summary>
    public static Dictionary<string, string> Settings() => [];

    [OneTimeSetUp]
    public async Task Start()
    {
        var executable = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } named ? named : "/usr/bin/chromium";
        if (!File.Exists(executable))
        {
            Assert.Fail($"No Chromium at {executable}: the dashboard tests need a real headless browser. Install Debian's package " +
                "(`apt-get update && apt-get install -y chromium`, as .ci/run does) or point " + Variable + " at a Chromium executable.");
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            // No GPU and a small /dev/shm in containers.
            Args = ["--disable-gpu", "--disable-dev-shm-usage"],
        });
        OpenApi = await HostProcess.StartAsync("Gateway.Api", Settings());
        ScreenshotDirectory = Environment.GetEnvironmentVariable(ScreenshotsVariable) is { Length: > 0 } folder
            ? Path.Combine(RepositoryRoot(), folder)
            : Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (OpenApi is not null)
            await OpenApi.DisposeAsync();
        if (Browser is not null)
            await Browser.CloseAsync();
        _playwright?.Dispose();
    }

    /// <summary>A fresh browser context (its own sessionStorage) with a page on the dashboard of <paramref name="api"/>.</summary>
    public static async Task<IPage> OpenAsync(HostProcess api, string hash = "#/", int width = 1280, int height = 860)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            BaseURL = $"http://127.0.0.1:{api.Port}",
        });
        context.SetDefaultTimeout(10_000);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, message) => errors.Add(message);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
                errors.Add(message.Text);
        };
        PageErrors.AddOrUpdate(page, errors);
        await page.GotoAsync("/dashboard" + hash);
        return page;
    }

    /// <summary>Closes the page's context; when the test failed, first shows the page's errors.</summary>
    public static async Task CloseAsync(IPage? page)
    {
        if (page is null)
            return;
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed
            && PageErrors.TryGetValue(page, out var errors) && errors.Count > 0)
            TestContext.Out.WriteLine("Page errors:\n" + string.Join('\n', errors));
        await page.Context.CloseAsync();
    }

    /// <summary>Uncaught errors and console errors each page has had, for the tests to show when they fail.</summary>
    public static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IPage, List<string>> PageErrors = [];

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Gateway.sln not found above " + AppContext.BaseDirectory);
    }
}
