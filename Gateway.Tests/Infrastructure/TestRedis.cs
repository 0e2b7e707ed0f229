using System.Net;
using System.Net.Sockets;
using Garnet;
using Gateway.Api.Hosting;
using StackExchange.Redis;

namespace Gateway.Tests;

/// <summary>
/// The Redis every integration test talks to: the server named by <c>GATEWAY_TEST_REDIS</c>
/// (host:port), or else an embedded Garnet started here with the same hardened options the
/// Api host uses. A named server that does not answer fails the run — nothing is skipped.
/// </summary>
[SetUpFixture]
public sealed class TestRedis
{
    public const string Variable = "GATEWAY_TEST_REDIS";

    private static GarnetServer? _garnet;
    private static string? _dataPath;

    /// <summary>The StackExchange.Redis configuration string of the server under test.</summary>
    public static string ConnectionString { get; private set; } = "";

    /// <summary>"redis" when an external server is used, "garnet" for the embedded one.</summary>
    public static string Backend { get; private set; } = "";

    public static IConnectionMultiplexer Connection { get; private set; } = null!;

    [OneTimeSetUp]
    public void Start()
    {
        var external = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            ConnectionString = external;
            Backend = "redis";
        }
        else
        {
            var port = FreePort();
            _dataPath = Path.Combine(Path.GetTempPath(), $"gateway-tests-{Environment.ProcessId}");
            var options = EmbeddedGarnet.Build(new EmbeddedRedisOptions { Persist = false, MemorySize = "512m" }, port, _dataPath);
            _garnet = new GarnetServer(options);
            _garnet.Start();
            ConnectionString = $"127.0.0.1:{port}";
            Backend = "garnet";
        }

        try
        {
            Connection = ConnectionMultiplexer.Connect($"{ConnectionString},allowAdmin=true,connectTimeout=3000");
            Connection.GetDatabase().Ping();
        }
        catch (RedisConnectionException ex)
        {
            Assert.Fail($"No Redis answers at {ConnectionString} ({Variable}). Start one, e.g. " +
                $"`redis-server --port 6390 --save '' --appendonly no` and set {Variable}=127.0.0.1:6390, " +
                $"or unset {Variable} to use the embedded server. ({ex.Message})");
        }
        TestContext.Progress.WriteLine($"Integration tests run against {Backend} at {ConnectionString}");
    }

    [OneTimeTearDown]
    public void Stop()
    {
        Connection?.Dispose();
        _garnet?.Dispose();
        if (_dataPath is not null && Directory.Exists(_dataPath))
            Directory.Delete(_dataPath, recursive: true);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A circle name no other test uses.</summary>
    public static string NewCircle(string stem = "t") => $"{stem}-{Guid.NewGuid():N}"[..Math.Min(64, stem.Length + 33)];
}
