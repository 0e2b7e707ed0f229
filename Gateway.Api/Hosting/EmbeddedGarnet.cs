using System.Net;
using System.Net.Sockets;
using Garnet;
using Garnet.server;
using Gateway.Core.Redis;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Hosting;

/// <summary>
/// Garnet hosted in this process, for a bare machine. Garnet's defaults are unsafe for a queue,
/// so each of these is deliberate: Lua scripts run as transactions (otherwise they are not
/// atomic), the RandomAccess device (the native one kills the process on older glibc), a storage
/// tier so data beyond memory spills to disk instead of being evicted, and an append-only file
/// recovered at start so tasks survive a restart.
/// </summary>
public sealed partial class EmbeddedGarnet(IOptions<EmbeddedRedisOptions> options, ILogger<EmbeddedGarnet> log)
    : IEmbeddedRedis, IDisposable
{
    private readonly Lock _lock = new();
    private GarnetServer? _server;
    private string? _connectionString;

    public string Start()
    {
        lock (_lock)
        {
            if (_connectionString is not null)
                return _connectionString;

            var settings = options.Value;
            var port = settings.Port == 0 ? FreePort() : settings.Port;
            var data = Path.GetFullPath(settings.DataPath);
            var server = new GarnetServer(Build(settings, port, data));
            server.Start();
            _server = server;
            _connectionString = $"127.0.0.1:{port}";
            LogStarted(log, port, settings.Persist ? data : "(not persisted)");
            return _connectionString;
        }
    }

    internal static GarnetServerOptions Build(EmbeddedRedisOptions settings, int port, string data)
    {
        Directory.CreateDirectory(data);
        var opts = new GarnetServerOptions
        {
            EndPoints = [new IPEndPoint(IPAddress.Loopback, port)],
            QuietMode = true,
            EnableLua = true,
            LuaTransactionMode = true,
            LuaOptions = new LuaOptions(LuaMemoryManagementMode.Native, "", Timeout.InfiniteTimeSpan, LuaLoggingMode.Enable, [], null),
            LogMemorySize = settings.MemorySize,
            PageSize = "1m",
            IndexMemorySize = "16m",
            EnableStorageTier = true,
            LogDir = Path.Combine(data, "log"),
            CheckpointDir = Path.Combine(data, "checkpoints"),
            DeviceType = Tsavorite.core.DeviceType.RandomAccess,
        };
        if (settings.Persist)
        {
            opts.EnableAOF = true;
            opts.Recover = true;
        }
        return opts;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _server?.Dispose();
            _server = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No Redis configured: embedded Garnet listens on 127.0.0.1:{Port}, data in {DataPath}")]
    private static partial void LogStarted(ILogger logger, int port, string dataPath);
}
