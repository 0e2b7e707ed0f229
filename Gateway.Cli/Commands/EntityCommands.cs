using System.Globalization;
using System.Text.Json;

namespace Gateway.Cli.Commands;

/// <summary>
/// <c>gw entities VIEW [ID] [--delete]</c>: a circle's domain entities (calendars, events, flows,
/// contracts), a page at a time; one whole; or one deleted.
/// </summary>
internal static class EntityCommands
{
    /// <summary>Each view by the name its path has (calendars, events, flows, contracts).</summary>
    private static readonly Dictionary<string, DomainView> Views =
        Enum.GetValues<DomainView>().ToDictionary(v => v.ToString().ToLowerInvariant(), StringComparer.Ordinal);

    public static Command Create(ConnectionOptions connection)
    {
        var view = new Argument<string>("VIEW") { Description = "calendars, events, flows or contracts" };
        view.AcceptOnlyFromAmong([.. Views.Keys]);
        var id = new Argument<long?>("ID") { Description = "One entity's id: print it whole", Arity = ArgumentArity.ZeroOrOne };
        var circle = CommonOptions.Circle();
        var limit = new Option<int>("--limit", "-n") { Description = "How many, 1 … 500", DefaultValueFactory = _ => 50 }.AtLeast(1);
        var after = new Option<long>("--after") { Description = "Only entities whose ids come after this one (the next page)" };
        var json = CommonOptions.Json("Print the page as a JSON array");
        var delete = new Option<bool>("--delete") { Description = "Delete the entity ID; its bytes count no more against the circle's limit" };
        var command = new Command("entities", "A circle's domain entities as scripts left them, in id order, a page at a time.")
        {
            view, id, circle, limit, after, json, delete,
        };
        command.Validators.Add(result =>
        {
            // Whether an ID was given, not its value: one that is not a number is the parser's error.
            if (result.GetValue(delete) && result.GetResult(id) is null)
                result.AddError("--delete needs the ID of the entity to delete.");
        });
        return command.SetClientAction(connection, async (client, parse, cancellationToken) =>
        {
            var domain = Views[parse.GetValue(view)!];
            if (parse.GetValue(delete))
            {
                var gone = parse.GetValue(id)!.Value;
                await client.DeleteDomainAsync(parse.GetValue(circle)!, domain, gone, cancellationToken);
                Console.Out.WriteLine($"{parse.GetValue(view)![..^1]} {gone.ToString(CultureInfo.InvariantCulture)} deleted");
                return ExitCodes.Ok;
            }
            if (parse.GetValue(id) is { } one)
            {
                Output.Json(await client.GetDomainAsync(parse.GetValue(circle)!, domain, one, cancellationToken));
                return ExitCodes.Ok;
            }
            var page = await client.ListDomainPageAsync(parse.GetValue(circle)!, domain, parse.GetValue(after), parse.GetValue(limit), cancellationToken);
            Output.JsonOr(parse.GetValue(json), page.Items, items => Output.Table(["ID", "NAME", "STATUS"], items.Select(e => new[]
            {
                Field(e, "id"), Field(e, "name", "title"), Field(e, "status"),
            })));
            if (page.NextAfter is { } next)
                Console.Error.WriteLine($"More: gw entities {parse.GetValue(view)} --circle {parse.GetValue(circle)} --after {next.ToString(CultureInfo.InvariantCulture)}");
            return ExitCodes.Ok;
        });
    }

    /// <summary>The first of <paramref name="names"/> the entity has, as text; "-" when none.</summary>
    private static string Field(JsonElement entity, params string[] names)
    {
        foreach (var name in names)
        {
            if (entity.ValueKind == JsonValueKind.Object && entity.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
                return value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        }
        return "-";
    }
}
