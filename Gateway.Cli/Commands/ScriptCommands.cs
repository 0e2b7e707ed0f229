using System.Globalization;

namespace Gateway.Cli.Commands;

/// <summary><c>gw scripts list|get|put|delete</c>: a circle's registered scripts.</summary>
internal static class ScriptCommands
{
    public static Command Create(ConnectionOptions connection) =>
        new("scripts", "A circle's registered scripts: submit one by name, schedule it, keep its versions.")
        {
            List(connection),
            Get(connection),
            Put(connection),
            NamedCommands.Delete(connection, "script", "Remove a registered script and its versions; tasks already submitted still run.",
                (client, circle, name, cancellationToken) => client.DeleteScriptAsync(circle, name, cancellationToken)),
        };

    private static Argument<string> Name() => NamedCommands.Name("script");

    private static Command List(ConnectionOptions connection)
    {
        var circle = CommonOptions.Circle();
        var json = CommonOptions.Json("Print the scripts as a JSON array");
        return new Command("list", "Every registered script of the circle, latest versions.") { circle, json }.SetPrintAction(
            connection, json,
            (client, parse, cancellationToken) => client.ListScriptsAsync(parse.GetValue(circle)!, cancellationToken),
            scripts => Output.Table(["NAME", "VERSION", "LANGUAGE", "CREATED", "DESCRIPTION"], scripts.Select(s => new[]
            {
                s.Name, s.Version.ToString(CultureInfo.InvariantCulture), s.Language ?? "-", Output.Time(s.CreatedAt), s.Description ?? "",
            })));
    }

    private static Command Get(ConnectionOptions connection)
    {
        var name = Name();
        var circle = CommonOptions.Circle();
        var version = new Option<int?>("--version") { Description = "This version instead of the latest" };
        var json = CommonOptions.Json("Print the script with its version, hash and dates as JSON instead of its text");
        return new Command("get", "Print a registered script's text (so it can be saved to a file).") { name, circle, version, json }.SetPrintAction(
            connection, json,
            (client, parse, cancellationToken) => client.GetScriptAsync(parse.GetValue(circle)!, parse.GetValue(name)!, parse.GetValue(version), cancellationToken),
            script =>
            {
                Output.ScriptText(script.Script ?? "");
                Console.Error.WriteLine($"{script.Name} version {script.Version} ({script.Language})");
            });
    }

    private static Command Put(ConnectionOptions connection)
    {
        var name = Name();
        var input = new ScriptInput();
        var circle = CommonOptions.Circle();
        var description = new Option<string?>("--description", "-d") { Description = "What the script is for" };
        var json = CommonOptions.Json("Print the registered version as JSON");
        var command = new Command("put", "Register a script from a file or standard input; prints its version (the same text again keeps it).")
        {
            name, input.File, input.Language, circle, description, json,
        };
        command.SetAction((parse, cancellationToken) => Guard.RunAsync(async () =>
        {
            var (text, language) = await input.ReadScriptAsync(parse, cancellationToken);
            using var client = connection.CreateClient(parse);
            var script = await client.PutScriptAsync(parse.GetValue(circle)!, parse.GetValue(name)!, text, language, parse.GetValue(description), cancellationToken);
            Output.JsonOr(parse.GetValue(json), script, s => Console.Out.WriteLine($"{s.Name} version {s.Version}"));
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
