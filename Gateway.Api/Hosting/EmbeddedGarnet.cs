using System.Net;
using System.Net.Sockets;
using Garnet;
using Garnet.server;
using Gateway.Core.Telemetry;

namespace Gateway.Api.Hosting;

/// <summary>
/// Garnet hosted in this process, for a bare machine. Garnet's defaults are unsafe for a queue,
/// so each of these is deliberate: Lua scripts run as transactions (otherwise they are not
/// atomic), the RandomAccess device (the native one kills the process on older glibc), a storage
/// tier so data beyond memory spills to disk instead of being evicted, and an append-only file
/// recovered at start so tasks survive a restart. The append-only file alone would grow for as
/// long as the process runs: periodic checkpoints (and one at shutdown) let Garnet cut it, in
/// small segments so that cutting frees disk. The record log that spills to disk is not
/// compacted (see <see cref="Build"/>), so the data folder grows with every task written: the
/// embedded server is for trying the gateway, Redis for anything that runs for days. Its size is
/// the gauge <c>gateway_embedded_data_bytes</c> and, past a warning, the health check
/// <see cref="EmbeddedDataHealthCheck"/>.
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
            if (settings.Persist)
                GatewayMetrics.ObserveEmbeddedData(DataBytes);
            // The 1.5 s command timeout is for a Redis that went away; this server lives and dies
            // with the process, and only stalls (a checkpoint, a flush to disk). Waiting out a
            // stall of a few seconds beats answering 503 for a submit that may have been stored.
            _connectionString = $"127.0.0.1:{port},asyncTimeout={CommandTimeoutMs}";
            LogStarted(log, port, settings.Persist ? data : "(not persisted)");
            return _connectionString;
        }
    }

    /// <summary>Whether this process started the server (no Redis is configured).</summary>
    public bool IsRunning => _server is not null;

    /// <summary>
    /// Bytes in the data folder (append-only file, checkpoints, the record log spilled to disk);
    /// 0 while the server is not started or keeps nothing on disk.
    /// </summary>
    public long DataBytes() =>
        _server is not null && options.Value.Persist ? FolderBytes(Path.GetFullPath(options.Value.DataPath)) : 0;

    /// <summary>Bytes in the files under <paramref name="folder"/>; 0 when there is no such folder.</summary>
    internal static long FolderBytes(string folder)
    {
        if (!Directory.Exists(folder))
            return 0;
        long total = 0;
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            try
            {
                total += file.Length;
            }
            catch (FileNotFoundException)
            {
                // Cut by a checkpoint while the folder was read.
            }
        }
        return total;
    }

    /// <summary>How long a command to the embedded server may take before it fails.</summary>
    internal const int CommandTimeoutMs = 5000;

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
            // A checkpoint cuts the file only up to whole segments (1 GB by default): with 8 MB
            // segments the cut frees disk. Garnet requires pages of at least twice the record
            // log's page and a memory buffer of a few pages.
            opts.AofSegmentSize = "8m";
            opts.AofPageSize = "2m";
            opts.AofMemorySize = "8m";
            if (settings.CheckpointSeconds > 0)
                opts.CheckpointFrequencySecs = settings.CheckpointSeconds;
            // Neither log compaction nor the periodic scan for expired keys, though the record log
            // that spills to disk is then never reclaimed while the server runs. Under a steady load
            // of task hashes, Garnet 2.2.8 stopped answering once its scan had 100-170 MB of spilled
            // log to read, and its first compaction grew the object log to 2 GB within a minute
            // (docs/BENCHMARKS.md, soak). Expired tasks are still removed when read.
            opts.CompactionType = LogCompactionType.None;
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
            if (_server is null)
                return;
            if (options.Value.Persist && _connectionString is not null)
                Checkpoint(_connectionString);
            _server.Dispose();
            _server = null;
        }
    }

    /// <summary>
    /// A checkpoint at shutdown: the next start recovers from it instead of replaying the whole
    /// file, and the file is cut. Failing it loses nothing — the file is still there to replay.
    /// </summary>
    private void Checkpoint(string connectionString)
    {
        try
        {
            using var client = StackExchange.Redis.ConnectionMultiplexer.Connect($"{connectionString},allowAdmin=true,connectTimeout=2000,syncTimeout=30000");
            // SAVE, not BGSAVE: the server is about to stop, and must not stop mid-checkpoint.
            client.GetServer(client.GetEndPoints()[0]).Execute("SAVE");
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            LogCheckpointFailed(log, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The embedded Garnet's checkpoint at shutdown failed; the next start replays the append-only file")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "No Redis configured: embedded Garnet listens on 127.0.0.1:{Port}, data in {DataPath}")]
    private static partial void LogStarted(ILogger logger, int port, string dataPath);
}
