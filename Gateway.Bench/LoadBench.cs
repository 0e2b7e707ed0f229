using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using StackExchange.Redis;

namespace Gateway.Bench;

/// <summary>
/// Load through the HTTP API of a running gateway. <c>sync</c>: each client submits with
/// <c>?wait</c> and times the answer. <c>async</c>: submit everything, then collect every result.
/// <c>batch</c>: like async, submitting through the batch endpoint.
/// </summary>
internal sealed class LoadBench(BenchOptions options)
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
    {
        BaseAddress = new Uri(options.Url),
        Timeout = TimeSpan.FromSeconds(120),
    };

    private string Circle => options.Circle;

    private object Body(int i) => new { script = options.Script, args = new { a = i, b = 1 } };

    public async Task<object> RunAsync(string mode)
    {
        // Warm-up: JIT, connections, the script cache.
        await SyncAsync(Math.Min(options.Clients, 8), options.Warmup);

        var redis = options.Redis is null ? null : await ConnectionMultiplexer.ConnectAsync(options.Redis + ",allowAdmin=true");
        var before = redis is null ? null : await CommandStats(redis);
        var cpuBefore = ProcessCpu(options.Pid);
        var clock = Stopwatch.StartNew();
        var latencies = mode switch
        {
            "sync" => await SyncAsync(options.Clients, options.Count),
            "async" => await AsyncAsync(batch: 1),
            "batch" => await AsyncAsync(batch: options.Batch),
            _ => throw new ArgumentException($"unknown mode {mode}"),
        };
        clock.Stop();
        var cpu = ProcessCpu(options.Pid) - cpuBefore;
        var after = redis is null ? null : await CommandStats(redis);

        var sorted = latencies.Order().ToArray();
        double P(double q) => sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))], 3);
        return new
        {
            mode,
            clients = options.Clients,
            tasks = options.Count,
            script = options.ScriptName,
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
            tasksPerSecond = Math.Round(options.Count / clock.Elapsed.TotalSeconds),
            latencyMs = new { p50 = P(0.50), p90 = P(0.90), p99 = P(0.99), max = P(1.0) },
            gateway = options.Pid is null ? null : new { cpuSeconds = Math.Round(cpu, 2), peakRssMiB = PeakRss(options.Pid.Value) / 1048576 },
            redisCommandsPerTask = before is null ? null : PerTask(before, after!, options.Count + 0.0),
        };
    }

    private async Task<List<double>> SyncAsync(int clients, int count)
    {
        var latencies = new ConcurrentBag<double>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await _http.PostAsJsonAsync($"/api/circles/{Circle}/tasks?wait=30", Body(i));
                var body = await response.Content.ReadAsStringAsync();
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if ((int)response.StatusCode != 200 || !body.Contains("\"completed\"", StringComparison.Ordinal))
                    throw new InvalidOperationException($"task {i}: {(int)response.StatusCode} {body}");
            }
        }));
        return latencies.ToList();
    }

    /// <summary>Latency here is submit-to-result of each task, as its collector saw it.</summary>
    private async Task<List<double>> AsyncAsync(int batch)
    {
        var submitted = new ConcurrentQueue<(string Id, long At)>();
        var next = -batch;
        await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(async _ =>
        {
            int first;
            while ((first = Interlocked.Add(ref next, batch)) < options.Count)
            {
                var size = Math.Min(batch, options.Count - first);
                var at = Stopwatch.GetTimestamp();
                if (batch == 1)
                {
                    using var response = await _http.PostAsJsonAsync($"/api/circles/{Circle}/tasks", Body(first));
                    var task = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                    submitted.Enqueue((task["id"]!.GetValue<string>(), at));
                }
                else
                {
                    using var response = await _http.PostAsJsonAsync($"/api/circles/{Circle}/tasks/batch",
                        new { tasks = Enumerable.Range(first, size).Select(Body).ToArray() });
                    var tasks = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["tasks"]!.AsArray();
                    foreach (var task in tasks)
                        submitted.Enqueue((task!["id"]!.GetValue<string>(), at));
                }
            }
        }));

        var latencies = new ConcurrentBag<double>();
        await Parallel.ForEachAsync(submitted, new ParallelOptions { MaxDegreeOfParallelism = options.Clients }, async (task, _) =>
        {
            var body = await _http.GetStringAsync($"/api/circles/{Circle}/tasks/{task.Id}?wait=60");
            if (!body.Contains("\"completed\"", StringComparison.Ordinal))
                throw new InvalidOperationException(body);
            latencies.Add(Stopwatch.GetElapsedTime(task.At).TotalMilliseconds);
        });
        return latencies.ToList();
    }

    internal static async Task<Dictionary<string, long>> CommandStats(IConnectionMultiplexer redis)
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

    internal static object PerTask(Dictionary<string, long> before, Dictionary<string, long> after, double tasks)
    {
        var delta = after.ToDictionary(a => a.Key, a => a.Value - before.GetValueOrDefault(a.Key))
            .Where(d => d.Value > 0 && !d.Key.StartsWith("info", StringComparison.Ordinal))
            .ToDictionary(d => d.Key, d => Math.Round(d.Value / tasks, 2));
        // Commands a client sent (the rest ran inside a Lua script).
        string[] clientSide = ["evalsha", "eval", "sadd", "hmget", "hget", "hgetall", "psubscribe", "ping", "zrevrange", "zrange", "llen", "zcard"];
        return new
        {
            total = Math.Round(delta.Values.Sum(), 2),
            fromClients = Math.Round(delta.Where(d => clientSide.Contains(d.Key)).Sum(d => d.Value), 2),
            byCommand = delta.OrderByDescending(d => d.Value).ToDictionary(),
        };
    }

    private static double ProcessCpu(int? pid)
    {
        if (pid is null)
            return 0;
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // utime and stime, fields 14 and 15 of stat (11 and 12 after the command name).
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static long PeakRss(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}

/// <summary>What a load run is told on the command line.</summary>
internal sealed record BenchOptions(
    string Url,
    string Circle,
    int Clients,
    int Count,
    int Warmup,
    int Batch,
    string ScriptName,
    string Script,
    string? Redis,
    int? Pid);
