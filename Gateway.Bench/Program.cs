using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Bench;

// Gateway.Bench <mode> [options]; prints one JSON document with the figures.
//   engine                        the script runner alone, cache on and off
//   sync | async | batch          load through the HTTP API of a gateway (--url, or --start one)
//   queue                         the Core API and the worker loop in this process, no HTTP
//   soak                          the embedded default under steady load for minutes: RSS, data folder, server memory
//   garnet-log                    Garnet alone with the embedded settings and a compaction setting: does its log stay bounded
//   compare                       the gateway and the BullMQ peer (bench/bullmq) taking turns in one session, with ratios
//   delayed                       delayed tasks: due time to pending, an Api and two worker processes of its own
//   rhai                          Gateway.Rhai against the reference folder (conformance, corpus, --speed)
var mode = args.FirstOrDefault() ?? "help";

object result;
switch (mode)
{
    case "engine":
        result = await EngineBench.RunAsync(Option("--rounds", 5), Option("--count", 500));
        break;
    case "rhai":
        return Text("--run", null) is { } file
            ? RhaiConformance.RunFile(file)
            : RhaiConformance.Run(Text("--path", null), args.Contains("--speed"), args.Contains("--verbose"));
    case "sync" or "async" or "batch" or "queue":
        result = await LoadAsync(mode);
        break;
    case "soak":
        result = await SoakBench.RunAsync(new SoakSettings(
            Minutes: Option("--minutes", 10),
            Rate: Option("--rate", 300),
            RetentionHours: double.Parse(Text("--retention-hours", "0.05")!, CultureInfo.InvariantCulture),
            CheckpointSeconds: Option("--checkpoint-seconds", 60),
            Clients: Option("--clients", 8),
            MemorySize: Text("--memory-size", null)));
        break;
    case "garnet-log":
        result = await GarnetLogBench.RunAsync(new GarnetLogSettings(
            Compaction: Text("--compaction", "none")!,
            ForceDelete: args.Contains("--force-delete"),
            MaxSegments: Option("--max-segments", 4),
            Seconds: Option("--seconds", 240),
            Rate: Option("--rate", 2000),
            MemorySize: Text("--memory-size", "32m")!,
            TtlSeconds: Option("--ttl-seconds", 20)));
        break;
    case "compare":
        result = await CompareBench.RunAsync(new CompareSettings(
            Rounds: Option("--rounds", 3),
            Count: Option("--count", 5000),
            Warmup: Option("--warmup", 20000),
            Concurrency: Option("--concurrency", 64),
            Split: args.Contains("--split"),
            Defaults: args.Contains("--defaults")));
        break;
    case "delayed":
        result = await DelayedBench.RunAsync(new DelayedSettings(
            Option("--rounds", 3), Option("--count", 200), Option("--spread", 3000), Option("--lead", 1000), Option("--concurrency", 16), Option("--idle", 30)));
        break;
    default:
        Console.Error.WriteLine("""
            usage: Gateway.Bench engine [--rounds N] [--count N]
                   Gateway.Bench rhai [--path DIR] [--speed] [--verbose]   (DIR defaults to ../shared/rhai beside the repository)
                   Gateway.Bench sync|async|batch|queue [--clients N[,N…]] [--rounds N] [--count N] [--warmup N]
                                 [--batch N] [--script trivial|200-line|fib20] [--monitor]
                                 [--start [--concurrency N]] | [--url URL] [--redis host:port] [--pid GATEWAY_PID]
                   Gateway.Bench garnet-log [--compaction none|lookup|scan] [--force-delete] [--max-segments N] [--seconds N] [--rate N] [--memory-size SIZE] [--ttl-seconds N]
                   Gateway.Bench compare [--rounds N] [--count N] [--warmup N] [--concurrency N] [--split] [--defaults]
                   Gateway.Bench soak [--minutes N] [--rate TASKS_PER_S] [--retention-hours H] [--checkpoint-seconds S] [--clients N] [--memory-size SIZE]
                   Gateway.Bench delayed [--rounds N] [--count N] [--spread MS] [--lead MS] [--concurrency N] [--idle S]
              --start      start a redis-server and (but for queue) the Api with in-process workers, stop them after
              --clients    one run per value and round; the summary gives the medians per value
              --monitor    also count commands with MONITOR: sent by clients, run inside Lua (slows Redis)
            """);
        return 2;
}

Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
// Exit even if a thread is left running (garnet-log's server, when it would not stop).
Environment.Exit(0);
return 0; // not reached; the entry point returns int

async Task<object> LoadAsync(string mode)
{
    var scriptName = Text("--script", "trivial")!;
    var script = scriptName switch
    {
        "trivial" => Scripts.Trivial,
        "200-line" => Scripts.TwoHundredLines,
        "fib20" => Scripts.Fib20,
        _ => throw new ArgumentException("--script is trivial, 200-line or fib20"),
    };
    var clientCounts = Text("--clients", "10")!.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
    var rounds = Option("--rounds", 1);
    var concurrency = Option("--concurrency", 16);

    using var launcher = new Launcher();
    string? redis = Text("--redis", null), url = Text("--url", "http://127.0.0.1:5080");
    int? pid = Option("--pid", 0) is var p && p > 0 ? p : null;
    if (args.Contains("--start"))
    {
        await launcher.StartRedisAsync();
        redis = launcher.Redis;
        if (mode != "queue")
        {
            await launcher.StartApiAsync(concurrency);
            (url, pid) = (launcher.Url, launcher.Pid);
        }
    }

    var options = new BenchOptions(
        Url: url!,
        Circle: Text("--circle", $"bench-{Guid.NewGuid():N}"[..20])!,
        Count: Option("--count", 2000),
        Warmup: Option("--warmup", 200),
        Batch: Option("--batch", 100),
        ScriptName: scriptName,
        Script: script,
        Redis: redis,
        Pid: pid,
        Monitor: args.Contains("--monitor"),
        Concurrency: concurrency);

    await using var queue = new QueueBench(options);
    var load = new LoadBench(options);
    var runs = new List<JsonNode>();
    for (var round = 1; round <= rounds; round++)
    {
        foreach (var clients in clientCounts)
        {
            var run = mode == "queue" ? await queue.RunAsync(clients) : await load.RunAsync(mode, clients);
            var node = JsonSerializer.SerializeToNode(run)!;
            node["round"] = round;
            runs.Add(node);
            Console.Error.WriteLine($"round {round}, {clients} clients: {node["tasksPerSecond"]} tasks/s, p50 {node["latencyMs"]!["p50"]} ms");
        }
    }

    var summary = clientCounts.Select(clients =>
    {
        var mine = runs.Where(r => (int)r["clients"]! == clients).ToArray();
        double Median(Func<JsonNode, double> pick) => Math.Round(Measurement.Median(mine.Select(pick)), 3);
        return new
        {
            clients,
            rounds = mine.Length,
            tasksPerSecond = Median(r => (double)r["tasksPerSecond"]!),
            p50Ms = Median(r => (double)r["latencyMs"]!["p50"]!),
            p99Ms = Median(r => (double)r["latencyMs"]!["p99"]!),
            gatewayCpuMsPerTask = mine[0]["gateway"] is null ? (double?)null : Median(r => (double)r["gateway"]!["cpuMsPerTask"]!),
        };
    }).ToArray();
    return new { mode, script = scriptName, summary, runs };
}

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], out var value) ? value : fallback;
}

string? Text(string name, string? fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}
