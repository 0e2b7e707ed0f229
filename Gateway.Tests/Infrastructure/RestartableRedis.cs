using System.Diagnostics;
using Garnet;
using Gateway.Api.Hosting;
using StackExchange.Redis;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A Redis-protocol server of the kind under test, with its append-only file on, that a test can
/// stop and start again on the same port and data: redis-server when the suite runs against Redis,
/// Garnet otherwise.
/// </summary>
public sealed class RestartableRedis : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"gateway-restartable-{Guid.NewGuid():N}");
    private Process? _redis;
    private GarnetServer? _garnet;

    public RestartableRedis()
    {
        Directory.CreateDirectory(_dir);
        Port = TestRedis.FreePort();
        Start();
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public void Start()
    {
        if (TestRedis.Backend == "redis")
        {
            _redis = Process.Start(new ProcessStartInfo("redis-server")
            {
                ArgumentList = { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                    "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--dir", _dir },
                RedirectStandardOutput = true,
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException("redis-server did not start");
            _redis.OutputDataReceived += (_, _) => { };
            _redis.BeginOutputReadLine();
        }
        else
        {
            _garnet = new GarnetServer(EmbeddedGarnet.Build(new EmbeddedRedisOptions { Persist = true }, Port, _dir));
            _garnet.Start();
        }
        WaitUntil(answers: true);
    }

    public void Stop()
    {
        if (_redis is not null)
        {
            Process.Start("kill", ["-TERM", _redis.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            _redis.WaitForExit(10_000);
            _redis.Dispose();
            _redis = null;
        }
        _garnet?.Dispose();
        _garnet = null;
        WaitUntil(answers: false);
    }

    private void WaitUntil(bool answers)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            try
            {
                using var probe = ConnectionMultiplexer.Connect($"{ConnectionString},connectTimeout=500,abortConnect=true");
                probe.GetDatabase().Ping();
                if (answers)
                    return;
            }
            catch (RedisConnectionException)
            {
                if (!answers)
                    return;
            }
            Thread.Sleep(100);
        }
        Assert.Fail($"the server at {ConnectionString} did not {(answers ? "start" : "stop")}");
    }

    public void Dispose()
    {
        if (_redis is { HasExited: false })
            _redis.Kill();
        _redis?.Dispose();
        _garnet?.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a server that is going away; the folder is in the temp area.
        }
    }
}
