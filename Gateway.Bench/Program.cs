using System.Text.Json;
using Gateway.Bench;

// Gateway.Bench <mode> [options]; prints one JSON document with the figures.
var mode = args.FirstOrDefault() ?? "help";
var rounds = Option("--rounds", 5);
var perRound = Option("--count", 500);

object result;
switch (mode)
{
    case "engine":
        result = await EngineBench.RunAsync(rounds, perRound);
        break;
    default:
        Console.Error.WriteLine("usage: Gateway.Bench engine [--rounds N] [--count N]");
        return 2;
}

Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
return 0;

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], out var value) ? value : fallback;
}
