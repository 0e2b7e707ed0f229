using System.Diagnostics;
using System.Globalization;
using Gateway.Api.Hosting;
using Gateway.Core.Redis;
using StackExchange.Redis;

namespace Gateway.Bench;

/// <summary>What <c>soak</c> is told on the command line.</summary>
internal sealed record SoakSettings(int Minutes, int Rate, double RetentionHours, int CheckpointSeconds, int Clients, string? MemorySize);

/// <summary>
/// <c>soak</c>: the Api as a first <c>dotnet run</c> starts it (embedded Garnet, persisted), under
/// a steady load of submit-and-wait tasks with a short retention, so that tasks come and expire
/// the whole time. Once a minute it reports the tasks done, the Api's RSS, the size of the data
/// folder (append-only file and checkpoints) and the server's memory: over a long run these
/// must level off, not climb.
/// </summary>
internal static class SoakBench
{
    private const int Circles = 4;

    private static string Circle(int n) => $"soak-{n}";

    public static async Task<object> RunAsync(SoakSettings o)
    {
        var dataPath = Path.Combine(Path.GetTempPath(), $"gateway-soak-{Guid.NewGuid():N}"[..28]);
        using var launcher = new Launcher();
        var environment = new Dictionary<string, string?>
        {
            ["Gateway__Tasks__RetentionHours"] = o.RetentionHours.ToString(CultureInfo.InvariantCulture),
            ["Gateway__Embedded__CheckpointSeconds"] = o.CheckpointSeconds.ToString(CultureInfo.InvariantCulture),
            ["Gateway__Workers__Concurrency"] = "16",
            ["Gateway__RateLimit__PermitsPerSecond"] = "0",
        };
        if (o.MemorySize is not null)
            environment["Gateway__Embedded__MemorySize"] = o.MemorySize;
        var redis = await launcher.StartEmbeddedApiAsync(dataPath, environment);
        var pid = launcher.Pid!.Value;
        // The bench's own readings may wait for a busy server rather than stop the soak.
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis + ",allowAdmin=true,asyncTimeout=15000,syncTimeout=15000");
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        using var http = new HttpClient { BaseAddress = new Uri(launcher.Url!), Timeout = TimeSpan.FromSeconds(60) };

        var done = 0L;
        var failed = 0L;
        // Each request's time, swapped out once a minute: a stall of the server shows as that
        // minute's slowest request even when nothing fails.
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        var length = TimeSpan.FromMinutes(o.Minutes);
        // Each client paces itself to its share of the rate: a steady load, not a flood.
        var interval = TimeSpan.FromSeconds(o.Clients / (double)o.Rate);
        var load = Task.WhenAll(Enumerable.Range(0, o.Clients).Select(async c =>
        {
            var next = clock.Elapsed + interval * c / o.Clients;
            for (var i = c; clock.Elapsed < length; i += o.Clients)
            {
                var wait = next - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait);
                next += interval;
                var sent = clock.Elapsed;
                try
                {
                    using var response = await http.PostJsonAsync($"/api/circles/{Circle(i % Circles)}/tasks?wait=30",
                        new { script = Scripts.Trivial, args = new { a = i, b = 1 } });
                    if ((int)response.StatusCode == 200)
                        Interlocked.Increment(ref done);
                    else
                        Interlocked.Increment(ref failed);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
                Volatile.Read(ref latencies).Add((clock.Elapsed - sent).TotalMilliseconds);
            }
        }));

        var minutes = new List<object>();
        var before = 0L;
        for (var minute = 1; minute <= o.Minutes; minute++)
        {
            var due = TimeSpan.FromMinutes(minute);
            if (due > clock.Elapsed)
                await Task.WhenAny(load, Task.Delay(due - clock.Elapsed));
            var total = Interlocked.Read(ref done);
            var times = Interlocked.Exchange(ref latencies, []).Order().ToArray();
            var row = new
            {
                minute,
                tasksDone = total,
                tasksThisMinute = total - before,
                failed = Interlocked.Read(ref failed),
                p99Ms = times.Length == 0 ? 0 : Math.Round(times[(int)(times.Length * 0.99)], 1),
                maxMs = times.Length == 0 ? 0 : Math.Round(times[^1], 1),
                rssMiB = Rss(pid) / 1048576,
                dataMiB = Math.Round(EmbeddedGarnet.FolderBytes(dataPath) / 1048576.0, 1),
                // Where the data folder's bytes are: the spilled record log, the checkpoints
                // (snapshots, and the append-only file under them).
                logMiB = Math.Round(EmbeddedGarnet.FolderBytes(Path.Combine(dataPath, "log")) / 1048576.0, 1),
                checkpointsMiB = Math.Round(EmbeddedGarnet.FolderBytes(Path.Combine(dataPath, "checkpoints")) / 1048576.0, 1),
                serverMemoryMiB = await ServerMemoryMiB(server),
                tasksKept = await TasksKept(connection.GetDatabase()),
            };
            before = total;
            minutes.Add(row);
            Console.Error.WriteLine($"minute {row.minute}: {row.tasksThisMinute} tasks, {row.failed} failed in all, p99 {row.p99Ms} ms, max {row.maxMs} ms, RSS {row.rssMiB} MiB, data {row.dataMiB} MiB (log {row.logMiB}, checkpoints {row.checkpointsMiB}), server {row.serverMemoryMiB} MiB, {row.tasksKept} tasks kept");
        }
        await load;
        try
        {
            Directory.Delete(dataPath, recursive: true);
        }
        catch (IOException)
        {
            // The Api may still hold a file for a moment; the folder is under the temp path.
        }
        return new { mode = "soak", o.Minutes, o.Rate, o.RetentionHours, o.CheckpointSeconds, o.Clients, o.MemorySize, minutes };
    }

    private static long Rss(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    /// <summary>The server's own figure (<c>INFO memory</c>, used_memory), or null when it gives none.</summary>
    /// <summary>
    /// The tasks the circles' indexes still list: what retention keeps. Not DBSIZE: Garnet counts
    /// its keys by reading its whole log, from disk once the log has spilled there, which takes
    /// seconds and gigabytes of the very process this bench measures.
    /// </summary>
    private static async Task<long?> TasksKept(IDatabase db)
    {
        try
        {
            var counts = await Task.WhenAll(Enumerable.Range(0, Circles).Select(c => db.SortedSetLengthAsync(RedisKeys.Index(Circle(c)))));
            return counts.Sum();
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return null;
        }
    }

    private static async Task<double?> ServerMemoryMiB(IServer server)
    {
        try
        {
            var info = (await server.InfoAsync("memory")).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value);
            return info.TryGetValue("used_memory", out var used) && long.TryParse(used, CultureInfo.InvariantCulture, out var bytes)
                ? Math.Round(bytes / 1048576.0, 1)
                : null;
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return null;
        }
    }
}
