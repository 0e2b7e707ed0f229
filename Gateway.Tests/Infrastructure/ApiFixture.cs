namespace Gateway.Tests.Infrastructure;

/// <summary>A test fixture with one Api (real pipeline, in-process workers) for all its tests.</summary>
public abstract class ApiFixture
{
    protected GatewayFactory Factory { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    /// <summary>Settings this fixture's Api runs with, beside the test defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    [OneTimeSetUp]
    public void StartApi()
    {
        Factory = new GatewayFactory(Settings);
        Client = Factory.CreateClient();
    }

    /// <summary>
    /// <c>/health/ready</c>'s status once it answers 200, or after 15 s of trying: the Api is ready
    /// a moment after it starts, once it hears task events.
    /// </summary>
    protected async Task<System.Net.HttpStatusCode> ReadyStatusAsync()
    {
        var ready = System.Net.HttpStatusCode.ServiceUnavailable;
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); ready != System.Net.HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(15); await Task.Delay(100))
            ready = (await Client.GetAsync("/health/ready")).StatusCode;
        return ready;
    }

    [OneTimeTearDown]
    public void StopApi()
    {
        Client.Dispose();
        Factory.Dispose();
    }
}
