using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace Gateway.Bench;

/// <summary>
/// What one measured run reports: throughput, latency percentiles, the gateway process's CPU and
/// peak RSS, and the Redis commands per task — from <c>INFO commandstats</c> (every command,
/// those run inside Lua included) and, with <c>--monitor</c>, from <c>MONITOR</c>, which tells the
/// commands clients sent from those the scripts ran.
/// </summary>
internal static class Measurement
{
    private const string AllocatedBytes = "dotnet_gc_heap_total_allocated_bytes_total";

    public static async Task<object> RunAsync(string mode, BenchOptions options, int clients, Func<Task<List<double>>> run)
    {
        var redis = options.Redis is null ? null : await ConnectionMultiplexer.ConnectAsync(options.Redis + ",allowAdmin=true");
        var before = redis is null ? null : await CommandStats(redis);
        using var monitor = options.Monitor && options.Redis is not null ? await RedisMonitor.StartAsync(options.Redis) : null;
        var metricsBefore = options.Pid is null ? null : await ApiMetrics.ReadAsync(options.Url);
        var cpuBefore = ProcessCpu(options.Pid);
        var workersBefore = options.WorkerPids.Sum(p => ProcessCpu(p));
        var redisCpuBefore = redis is null ? 0 : await RedisCpu(redis);
        var clock = Stopwatch.StartNew();
        var latencies = await run();
        clock.Stop();
        var cpu = ProcessCpu(options.Pid) - cpuBefore;
        var workersCpu = options.WorkerPids.Sum(p => ProcessCpu(p)) - workersBefore;
        var redisCpu = redis is null ? 0 : await RedisCpu(redis) - redisCpuBefore;
        var metricsAfter = metricsBefore is null ? null : await ApiMetrics.ReadAsync(options.Url);
        double? allocated = metricsBefore is not null && metricsAfter is not null
            ? metricsAfter.Total(AllocatedBytes) - metricsBefore.Total(AllocatedBytes)
            : null;
        var monitored = monitor?.Stop();
        var after = redis is null ? null : await CommandStats(redis);
        if (redis is not null)
            await redis.DisposeAsync();

        var sorted = latencies.Order().ToArray();
        double P(double q) => sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))], 3);
        double tasks = options.Count;
        return new
        {
            mode,
            clients,
            tasks = options.Count,
            script = options.ScriptName,
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
            tasksPerSecond = Math.Round(tasks / clock.Elapsed.TotalSeconds),
            latencyMs = new { p50 = P(0.50), p90 = P(0.90), p99 = P(0.99), max = P(1.0) },
            gateway = options.Pid is null ? null : new
            {
                cpuSeconds = Math.Round(cpu, 2),
                cpuMsPerTask = Math.Round(cpu * 1000 / tasks, 3),
                cpuUsPerTask = Math.Round(cpu * 1_000_000 / tasks),
                peakRssMiB = PeakRss(options.Pid.Value) / 1048576,
                // What the Api's code allocated per task, from the runtime's own meter: what its garbage collector works through.
                allocatedKiBPerTask = allocated is { } bytes ? Math.Round(bytes / 1024 / tasks, 1) : (double?)null,
            },
            workers = options.WorkerPids.Length == 0 ? null : new
            {
                cpuUsPerTask = Math.Round(workersCpu * 1_000_000 / tasks),
                peakRssMiB = options.WorkerPids.Select(p => PeakRss(p) / 1048576).ToArray(),
            },
            redisCpuUsPerTask = redis is null ? (double?)null : Math.Round(redisCpu * 1_000_000 / tasks),
            redisCommandsPerTask = before is null ? null : PerTask(before, after!, tasks),
            monitorPerTask = monitored is null ? null : new
            {
                fromClients = Math.Round(monitored.FromClients / tasks, 2),
                insideLua = Math.Round(monitored.InsideLua / tasks, 2),
                total = Math.Round((monitored.FromClients + monitored.InsideLua) / tasks, 2),
                fromClientsByCommand = monitored.ClientCommands.OrderByDescending(c => c.Value)
                    .ToDictionary(c => c.Key, c => Math.Round(c.Value / tasks, 2)),
            },
        };
    }

    /// <summary>
    /// <paramref name="clients"/> callers share task numbers 0 … <paramref name="count"/> − 1, each
    /// running one task at a time; returns each task's time in milliseconds.
    /// </summary>
    public static async Task<List<double>> ClosedLoopAsync(int clients, int count, Func<int, Task> runOne)
    {
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var start = Stopwatch.GetTimestamp();
                await runOne(i);
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }));
        return latencies.ToList();
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Redis's own CPU (user + system, seconds), summed over the nodes.</summary>
    private static async Task<double> RedisCpu(IConnectionMultiplexer redis)
    {
        double seconds = 0;
        foreach (var endpoint in redis.GetEndPoints())
        {
            var info = await redis.GetServer(endpoint).InfoRawAsync("cpu");
            foreach (var line in info!.Split('\n'))
            {
                if (line.StartsWith("used_cpu_sys:", StringComparison.Ordinal) || line.StartsWith("used_cpu_user:", StringComparison.Ordinal))
                    seconds += double.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
        }
        return seconds;
    }

    private static async Task<Dictionary<string, long>> CommandStats(IConnectionMultiplexer redis)
    {
        var stats = new Dictionary<string, long>();
        foreach (var endpoint in redis.GetEndPoints())
        {
            var info = await redis.GetServer(endpoint).InfoRawAsync("commandstats");
            foreach (var line in info!.Split('\n'))
            {
                if (!line.StartsWith("cmdstat_", StringComparison.Ordinal))
                    continue;
                var name = line[8..line.IndexOf(':', StringComparison.Ordinal)];
                var calls = long.Parse(line.Split("calls=")[1].Split(',')[0], CultureInfo.InvariantCulture);
                stats[name] = stats.GetValueOrDefault(name) + calls;
            }
        }
        return stats;
    }

    private static object PerTask(Dictionary<string, long> before, Dictionary<string, long> after, double tasks)
    {
        // INFO and MONITOR are the benchmark's own.
        var delta = after.ToDictionary(a => a.Key, a => a.Value - before.GetValueOrDefault(a.Key))
            .Where(d => d.Value > 0 && d.Key is not ("info" or "monitor"))
            .ToDictionary(d => d.Key, d => Math.Round(d.Value / tasks, 2));
        return new { total = Math.Round(delta.Values.Sum(), 2), byCommand = delta.OrderByDescending(d => d.Value).ToDictionary() };
    }

    public static double ProcessCpu(int? pid)
    {
        if (pid is null)
            return 0;
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // utime and stime, fields 14 and 15 of stat (11 and 12 after the command name).
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    public static long PeakRss(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}
