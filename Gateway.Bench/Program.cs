using System.Text.Json;
using Gateway.Bench;

// Gateway.Bench <mode> [options]; prints one JSON document with the figures.
//   engine                        the script runner alone, cache on and off
//   sync | async | batch          load through the HTTP API of a running gateway
var mode = args.FirstOrDefault() ?? "help";

object result;
switch (mode)
{
    case "engine":
        result = await EngineBench.RunAsync(Option("--rounds", 5), Option("--count", 500));
        break;
    case "sync" or "async" or "batch":
        var scriptName = Text("--script", "trivial")!;
        var script = scriptName switch
        {
            "trivial" => Scripts.Trivial,
            "200-line" => Scripts.TwoHundredLines,
            "fib20" => Scripts.Fib20,
            _ => throw new ArgumentException("--script is trivial, 200-line or fib20"),
        };
        var options = new BenchOptions(
            Url: Text("--url", "http://127.0.0.1:5080")!,
            Circle: Text("--circle", $"bench-{Guid.NewGuid():N}"[..20])!,
            Clients: Option("--clients", 10),
            Count: Option("--count", 2000),
            Warmup: Option("--warmup", 200),
            Batch: Option("--batch", 100),
            ScriptName: scriptName,
            Script: script,
            Redis: Text("--redis", null),
            Pid: Option("--pid", 0) is var pid && pid > 0 ? pid : null);
        result = await new LoadBench(options).RunAsync(mode);
        break;
    default:
        Console.Error.WriteLine("""
            usage: Gateway.Bench engine [--rounds N] [--count N]
                   Gateway.Bench sync|async|batch [--url URL] [--clients N] [--count N] [--warmup N] [--batch N]
                                 [--script trivial|200-line|fib20] [--redis host:port] [--pid GATEWAY_PID]
            """);
        return 2;
}

Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
return 0;

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
