using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using StackExchange.Redis;

namespace Gateway.Bench;

/// <summary>What <c>compare</c> is told on the command line.</summary>
internal sealed record CompareSettings(int Rounds, int Count, int Warmup, int Concurrency, bool Split, bool Defaults);

/// <summary>
/// The gateway and the BullMQ peer (bench/bullmq: producer and worker in one Node process, no
/// HTTP, 50 jobs at once, on a redis-server of its own) taking turns in one session, so that the
/// ratios compare like with like on a noisy machine. Per round: submit-and-wait at 64 clients
/// (gateway, peer — the order alternating between rounds — and, with <c>--split</c>, the gateway
/// with its workers in two worker-only processes), submit-and-wait at 10 clients, batches of 100
/// with <c>?wait</c>, and queued tasks (202, then collected from the circle stream) against the
/// peer's add-all-then-await. Before its warm-up the Api is measured cold for 10 s, with what its
/// runtime compiled meanwhile (its meter at <c>/metrics</c>); the warm-up
/// is submit-and-wait, then one unmeasured run each of batches and queued tasks. With
/// <c>--defaults</c>, a third Api with no settings but Redis runs submit-and-wait at 64 clients too.
/// Every setup is then warmed until its processes stop compiling (<see cref="LoadBench.SettleAsync"/>);
/// the tasks each took are in <c>warmUpTasks</c>.
/// </summary>
internal static class CompareBench
{
    private const int PeerConcurrency = 50;

    public static async Task<object> RunAsync(CompareSettings o)
    {
        var peer = Path.Combine(Launcher.Root, "bench", "bullmq");
        if (!Directory.Exists(Path.Combine(peer, "node_modules", "bullmq")))
            throw new InvalidOperationException("Install the peer first: npm ci --prefix bench/bullmq");

        using var launcher = new Launcher();
        var redis = await launcher.StartRedisAsync();
        var peerRedis = await launcher.StartRedisAsync();
        await launcher.StartApiAsync(o.Concurrency);
        var gateway = Options(launcher.Url!, redis, launcher.Pid, o.Count, o.Warmup, o.Concurrency);
        var load = new LoadBench(gateway);
        var batches = new LoadBench(gateway with { Count = o.Count * 4, Warmup = 0 });

        Console.Error.WriteLine("cold: 10 s of submit-and-wait at 64 clients on a fresh Api");
        var compiledAtReady = await CompiledAsync(launcher.Url!);
        var cold = await load.SyncForAsync(64, TimeSpan.FromSeconds(10));
        var compiledCold = await CompiledAsync(launcher.Url!) - compiledAtReady;
        await load.WarmUpAsync();
        await batches.WarmUpAsync();
        // The batch and queued paths have code of their own to compile: an unmeasured run of
        // each, so that their first measured round does not include it.
        Console.Error.WriteLine("warm-up: one batch run and one queued run, not measured");
        await batches.RunAsync("batch", 8);
        await load.RunAsync("async", 64);
        // Each setup is then warmed until its runtime stops compiling, so that none is measured
        // while tiered compilation still runs in it.
        var settled = new Dictionary<string, int> { ["inProcess"] = await load.SettleAsync([launcher.Url!]) };

        LoadBench? split = null;
        if (o.Split)
        {
            var splitRedis = await launcher.StartRedisAsync();
            await launcher.StartApiAsync(o.Concurrency, workers: false, redis: splitRedis);
            var (url, pid) = (launcher.Url!, launcher.Pid);
            (int Pid, string Url)[] workers = [await launcher.StartWorkerAsync(o.Concurrency / 2, splitRedis), await launcher.StartWorkerAsync(o.Concurrency / 2, splitRedis)];
            split = new LoadBench(Options(url, splitRedis, pid, o.Count, o.Warmup, o.Concurrency) with { WorkerPids = [.. workers.Select(w => w.Pid)] });
            settled["split"] = await split.SettleAsync([url, .. workers.Select(w => w.Url)]);
        }

        LoadBench? defaults = null;
        if (o.Defaults)
        {
            var defaultsRedis = await launcher.StartRedisAsync();
            await launcher.StartApiAsync(null, redis: defaultsRedis);
            defaults = new LoadBench(Options(launcher.Url!, defaultsRedis, launcher.Pid, o.Count, o.Warmup, o.Concurrency));
            settled["defaults"] = await defaults.SettleAsync([launcher.Url!]);
        }

        var runs = new List<JsonNode>();
        async Task Gateway(string figure, LoadBench bench, string mode, int clients, int round)
        {
            var node = JsonSerializer.SerializeToNode(await bench.RunAsync(mode, clients))!;
            Record(figure, node, round);
        }
        async Task Peer(string figure, string mode, int round)
        {
            var node = await RunPeerAsync(peer, peerRedis, mode, o.Count);
            Record(figure, node, round);
        }
        void Record(string figure, JsonNode node, int round)
        {
            node["figure"] = figure;
            node["round"] = round;
            runs.Add(node);
            Console.Error.WriteLine($"round {round}, {figure}: {node["tasksPerSecond"]} tasks/s, p50 {node["latencyMs"]!["p50"]} ms");
        }

        for (var round = 1; round <= o.Rounds; round++)
        {
            var first = round % 2 == 1;
            if (first)
                await Gateway("gateway sync 64", load, "sync", 64, round);
            await Peer("bullmq sync 64", "sync", round);
            if (!first)
                await Gateway("gateway sync 64", load, "sync", 64, round);
            if (split is not null)
                await Gateway("split sync 64", split, "sync", 64, round);
            if (defaults is not null)
                await Gateway("defaults sync 64", defaults, "sync", 64, round);
            await Gateway("gateway sync 10", load, "sync", 10, round);
            await Gateway("gateway batch 100", batches, "batch", 8, round);
            await Gateway("gateway queued 64", load, "async", 64, round);
            await Peer("bullmq queued 64", "async", round);
        }

        double Median(string figure, Func<JsonNode, double> pick) =>
            Math.Round(Measurement.Median(runs.Where(r => (string)r["figure"]! == figure).Select(pick)), 3);
        double Tps(string figure) => Median(figure, r => (double)r["tasksPerSecond"]!);
        double Ratio(double a, double b) => b == 0 ? 0 : Math.Round(a / b, 2);

        var peerSync = Tps("bullmq sync 64");
        var peerQueued = Tps("bullmq queued 64");
        var sync64 = Tps("gateway sync 64");
        return new
        {
            mode = "compare",
            rounds = o.Rounds,
            tasksPerRun = o.Count,
            concurrency = o.Concurrency,
            peerConcurrency = PeerConcurrency,
            warmUpTasks = settled,
            figures = new
            {
                submitAndWait64 = new { gateway = sync64, bullmq = peerSync, ratio = Ratio(sync64, peerSync), target = "≥ 1.0" },
                batch100 = new { gateway = Tps("gateway batch 100"), bullmq = peerSync, ratio = Ratio(Tps("gateway batch 100"), peerSync), target = "≥ 2.0", ratioToBullmqQueued = Ratio(Tps("gateway batch 100"), peerQueued) },
                queued64 = new { gateway = Tps("gateway queued 64"), bullmq = peerSync, ratio = Ratio(Tps("gateway queued 64"), peerSync), target = "≥ 1.0", bullmqQueued = peerQueued, ratioToBullmqQueued = Ratio(Tps("gateway queued 64"), peerQueued) },
                submitAndWait10 = new
                {
                    p50Ms = Median("gateway sync 10", r => (double)r["latencyMs"]!["p50"]!),
                    p99Ms = Median("gateway sync 10", r => (double)r["latencyMs"]!["p99"]!),
                    bullmqP50Ms = Median("bullmq sync 64", r => (double)r["latencyMs"]!["p50"]!),
                    target = "p50 ≤ 1.0 ms, p99 ≤ 5 ms",
                },
                cpuPerTaskAt64 = new
                {
                    apiUs = Median("gateway sync 64", r => (double)r["gateway"]!["cpuUsPerTask"]!),
                    redisUs = Median("gateway sync 64", r => (double)r["redisCpuUsPerTask"]!),
                    bullmqRedisUs = Median("bullmq sync 64", r => (double)r["redisCpuUsPerTask"]!),
                    bullmqNodeUs = Median("bullmq sync 64", r => (double)r["cpuUsPerTask"]!),
                    target = "API ≤ 100 µs",
                },
                warmUp = new
                {
                    firstTenSeconds = cold, steady = sync64, ratio = Ratio(cold, sync64), target = "≥ 0.7",
                    compiled = new
                    {
                        atReady = new { methods = compiledAtReady.Methods, seconds = compiledAtReady.Seconds },
                        inFirstTenSeconds = new { methods = compiledCold.Methods, seconds = compiledCold.Seconds },
                    },
                },
                split = split is null ? null : new
                {
                    gateway = Tps("split sync 64"),
                    inProcess = sync64,
                    ratio = Ratio(Tps("split sync 64"), sync64),
                    apiUs = Median("split sync 64", r => (double)r["gateway"]!["cpuUsPerTask"]!),
                    workersUs = Median("split sync 64", r => (double)r["workers"]!["cpuUsPerTask"]!),
                    target = "≥ 0.9",
                },
                defaults = defaults is null ? null : new
                {
                    gateway = Tps("defaults sync 64"),
                    tuned = sync64,
                    ratio = Ratio(Tps("defaults sync 64"), sync64),
                    target = "≥ 0.8",
                },
                peakRssMiB = runs.Where(r => r["gateway"] is JsonObject).Max(r => (double)r["gateway"]!["peakRssMiB"]!),
            },
            runs,
        };
    }

    private static BenchOptions Options(string url, string redis, int? pid, int count, int warmup, int concurrency) => new(
        Url: url, Circle: $"bench-{Guid.NewGuid():N}"[..20], Count: count, Warmup: warmup, Batch: 100,
        ScriptName: "trivial", Script: Scripts.Trivial, Redis: redis, Pid: pid, Monitor: false, Concurrency: concurrency);

    /// <summary>One round of the peer in a Node process of its own; the Redis CPU includes its short warm-up, its own CPU (as Node reports it) does not.</summary>
    private static async Task<JsonNode> RunPeerAsync(string folder, string redis, string mode, int count)
    {
        const int warmup = 500;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis + ",allowAdmin=true");
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var cpuBefore = await RedisCpuAsync(server);

        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var arg in new[] { "bench.mjs", "--redis", redis, "--mode", mode, "--clients", "64", "--count", count.ToString(),
                     "--warmup", warmup.ToString(), "--concurrency", PeerConcurrency.ToString(), "--rounds", "1" })
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"the peer failed: {await errors}");
        var redisCpu = await RedisCpuAsync(server) - cpuBefore;

        var run = JsonNode.Parse(await output)!["runs"]![0]!.DeepClone();
        run["redisCpuUsPerTask"] = Math.Round(redisCpu * 1_000_000 / (count + warmup));
        return run;
    }

    /// <summary>What the Api's runtime has compiled so far, from its own meter at <c>/metrics</c>: methods, and CPU seconds spent compiling.</summary>
    private static async Task<Compiled> CompiledAsync(string url)
    {
        var metrics = await ApiMetrics.ReadRequiredAsync(url);
        return new Compiled(metrics.CompiledMethods, Math.Round(metrics.Total("dotnet_jit_compilation_time_seconds_total"), 2));
    }

    private sealed record Compiled(long Methods, double Seconds)
    {
        public static Compiled operator -(Compiled a, Compiled b) => new(a.Methods - b.Methods, Math.Round(a.Seconds - b.Seconds, 2));
    }

    private static async Task<double> RedisCpuAsync(IServer server)
    {
        var info = (await server.InfoAsync("cpu")).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value);
        return double.Parse(info["used_cpu_sys"], System.Globalization.CultureInfo.InvariantCulture)
            + double.Parse(info["used_cpu_user"], System.Globalization.CultureInfo.InvariantCulture);
    }
}
