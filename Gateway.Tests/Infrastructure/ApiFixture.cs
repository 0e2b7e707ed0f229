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

    [OneTimeTearDown]
    public void StopApi()
    {
        Client.Dispose();
        Factory.Dispose();
    }
}
