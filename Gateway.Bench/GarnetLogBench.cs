using System.Diagnostics;
using Garnet;
using Garnet.server;
using Gateway.Api.Hosting;
using StackExchange.Redis;

namespace Gateway.Bench;

/// <summary>What <c>garnet-log</c> is told on the command line.</summary>
internal sealed record GarnetLogSettings(string Compaction, bool ForceDelete, int MaxSegments, int Seconds, int Rate, string MemorySize, int TtlSeconds);

/// <summary>
/// <c>garnet-log</c>: Garnet in this process with the embedded server's settings
/// (<see cref="EmbeddedGarnet.Build"/>) and, optionally, log compaction, under a steady load of
/// short-lived hashes written as a task's are (created, updated twice, given a time to live): every
/// 10 s the data folder, the spilled record log and how long a PING takes. It asks whether any of
/// Garnet's compaction settings keeps the folder bounded without stopping the server, which the
/// embedded default needs and could not get (docs/BENCHMARKS.md).
/// </summary>
internal static class GarnetLogBench
{
    public static async Task<object> RunAsync(GarnetLogSettings o)
    {
        var data = Path.Combine(Path.GetTempPath(), $"gateway-garnet-log-{Guid.NewGuid():N}"[..34]);
        var port = Launcher.FreePort();
        var options = EmbeddedGarnet.Build(new EmbeddedRedisOptions { DataPath = data, MemorySize = o.MemorySize, CheckpointSeconds = 30 }, port, data);
        // Small segments, so that compaction (once the log on disk spans --max-segments of them) begins within minutes.
        options.SegmentSize = "8m";
        options.ObjectLogSegmentSize = "16m";
        options.CompactionType = o.Compaction switch
        {
            "none" => LogCompactionType.None,
            "lookup" => LogCompactionType.Lookup,
            "scan" => LogCompactionType.Scan,
            _ => throw new ArgumentException("--compaction is none, lookup or scan"),
        };
        options.CompactionFrequencySecs = 20;
        options.CompactionMaxSegments = o.MaxSegments;
        options.CompactionForceDelete = o.ForceDelete;
        var samples = new List<object>();
        var server = new GarnetServer(options);
        var stopped = true;
        try
        {
            server.Start();
            await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},asyncTimeout=10000,syncTimeout=10000");
            var db = connection.GetDatabase();
            var clock = Stopwatch.StartNew();
            var length = TimeSpan.FromSeconds(o.Seconds);
            long done = 0, failed = 0, next = 0;
            var script = new string('x', 300);
            const int Writers = 8;
            var load = Task.WhenAll(Enumerable.Range(0, Writers).Select(async _ =>
            {
                var interval = TimeSpan.FromSeconds(Writers / (double)o.Rate);
                var due = clock.Elapsed;
                while (clock.Elapsed < length)
                {
                    due += interval;
                    if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
                    var key = $"rhai:task:bench-{Interlocked.Increment(ref next):x12}";
                    try
                    {
                        await db.HashSetAsync(key, [new("status", "pending"), new("script", script), new("args", "{}"), new("circle", "bench")]);
                        await db.HashSetAsync(key, [new("status", "processing"), new("worker", "bench")]);
                        await db.HashSetAsync(key, [new("status", "completed"), new("result", "42")]);
                        await db.KeyExpireAsync(key, TimeSpan.FromSeconds(o.TtlSeconds));
                        Interlocked.Increment(ref done);
                    }
                    catch (Exception e) when (e is RedisException or TimeoutException)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            }));
            var last = 0L;
            while (!load.IsCompleted)
            {
                await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(10)));
                var ping = Stopwatch.StartNew();
                string pingMs;
                try
                {
                    await db.PingAsync();
                    pingMs = ping.ElapsedMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    pingMs = "none in 10 s";
                }
                var total = Interlocked.Read(ref done);
                var sample = new
                {
                    second = (int)clock.Elapsed.TotalSeconds,
                    tasks = total - last,
                    failed = Interlocked.Read(ref failed),
                    rssMiB = Process.GetCurrentProcess().WorkingSet64 >> 20,
                    dataMiB = EmbeddedGarnet.FolderBytes(data) >> 20,
                    logMiB = EmbeddedGarnet.FolderBytes(Path.Combine(data, "log", "Store")) >> 20,
                    checkpointsMiB = EmbeddedGarnet.FolderBytes(Path.Combine(data, "checkpoints")) >> 20,
                    pingMs,
                };
                last = total;
                samples.Add(sample);
                Console.Error.WriteLine(sample);
            }
        }
        finally
        {
            // A server stuck in compaction does not stop either: it is left to the process's end.
            stopped = Task.Run(server.Dispose).Wait(TimeSpan.FromSeconds(30));
            if (stopped)
            {
                try
                {
                    Directory.Delete(data, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
        return new { mode = "garnet-log", settings = o, serverStopped = stopped, dataFolder = data, samples };
    }
}
