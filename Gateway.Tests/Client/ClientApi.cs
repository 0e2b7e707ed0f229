using Gateway.Client;
using HostProcess = Gateway.Tests.Infrastructure.HostProcess;
using Scripts = Gateway.Tests.Infrastructure.Scripts;

namespace Gateway.Tests.Client;

/// <summary>
/// One real Gateway.Api process, on the test Redis, for the client and CLI tests of this folder.
/// Tests that kill or starve a process start their own.
/// </summary>
[SetUpFixture]
public sealed class ClientApi
{
    private static HostProcess? _api;

    public static HostProcess Api => _api ?? throw new InvalidOperationException("The Api process has not started.");

    public static Uri BaseAddress => new($"http://127.0.0.1:{Api.Port}");

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _api = await HostProcess.StartAsync("Gateway.Api", new Dictionary<string, string>
        {
            ["Gateway:Workers:Concurrency"] = "4",
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_api is not null)
            await _api.DisposeAsync();
    }

    /// <summary>A client without dependency injection, on the shared process.</summary>
    public static GatewayClient CreateClient(Action<GatewayClientOptions>? configure = null)
    {
        var options = new GatewayClientOptions { BaseAddress = BaseAddress };
        configure?.Invoke(options);
        return new GatewayClient(options);
    }
}
