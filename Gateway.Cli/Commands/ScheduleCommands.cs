using System.Globalization;
using System.Text.Json;

namespace Gateway.Cli.Commands;

/// <summary><c>gw schedules list|get|put|delete</c>: a circle's recurring tasks.</summary>
internal static class ScheduleCommands
{
    public static Command Create(ConnectionOptions connection) =>
        new("schedules", "A circle's schedules: each due time of a cron expression submits one task.")
        {
            List(connection),
            Get(connection),
            Put(connection),
            NamedCommands.Delete(connection, "schedule", "Remove a schedule; a task it already submitted goes on.",
                (client, circle, name, cancellationToken) => client.DeleteScheduleAsync(circle, name, cancellationToken)),
        };

    private static Argument<string> Name() => NamedCommands.Name("schedule");

    private static Command List(ConnectionOptions connection)
    {
        var circle = CommonOptions.Circle();
        var json = CommonOptions.Json("Print the schedules as a JSON array");
        return new Command("list", "Every schedule of the circle, with its next and last due times.") { circle, json }.SetPrintAction(
            connection, json,
            (client, parse, cancellationToken) => client.ListSchedulesAsync(parse.GetValue(circle)!, cancellationToken),
            schedules => Output.Table(["NAME", "CRON", "TIME ZONE", "SCRIPT", "PRIORITY", "ENABLED", "NEXT RUN", "LAST RUN", "LAST TASK"], schedules.Select(s => new[]
            {
                s.Name ?? "", s.Cron, s.TimeZone ?? "UTC", s.ScriptName ?? "(text)", (s.Priority ?? 0).ToString(CultureInfo.InvariantCulture),
                s.Enabled == false ? "no" : "yes", Output.Time(s.NextRunAt), Output.Time(s.LastRunAt), s.LastTaskId ?? "-",
            })));
    }

    private static Command Get(ConnectionOptions connection)
    {
        var name = Name();
        var circle = CommonOptions.Circle();
        return new Command("get", "Print a schedule as JSON, with nextRunAt, lastRunAt and lastTaskId.") { name, circle }.SetClientAction(
            connection, async (client, parse, cancellationToken) =>
            {
                Output.Json(await client.GetScheduleAsync(parse.GetValue(circle)!, parse.GetValue(name)!, cancellationToken));
                return ExitCodes.Ok;
            });
    }

    private static Command Put(ConnectionOptions connection)
    {
        var name = Name();
        var input = new ScriptInput("its latest version at each firing");
        var circle = CommonOptions.Circle();
        var cron = new Option<string>("--cron")
        {
            Description = "When: 5 fields (minute hour day month weekday), or 6 with seconds first, e.g. \"0 2 * * *\"",
            Required = true,
        };
        var zone = new Option<string?>("--time-zone") { Description = "An IANA time zone for the cron expression (default UTC), e.g. Europe/Brussels" };
        var priority = new Option<int?>("--priority") { Description = "0 (default) … 9 for each firing's task; higher runs first" };
        var retry = CommonOptions.Retry();
        var overlap = new Option<string?>("--overlap") { Description = "skip (default): no firing while the previous task is unfinished; allow: fire regardless" };
        overlap.AcceptOnlyFromAmong("skip", "allow");
        var enabled = new Option<bool?>("--enabled") { Description = "false keeps the schedule without firing it (default true)", HelpName = "true|false" };
        var json = CommonOptions.Json("Print the schedule as JSON");
        var command = new Command("put", "Create or replace a schedule; its script comes from FILE (or - for standard input) or --script-name.")
        {
            name, circle, cron, zone, priority, retry, overlap, enabled, json,
        };
        input.AddTo(command);
        command.SetAction((parse, cancellationToken) => Guard.RunAsync(async () =>
        {
            var choice = await input.ReadChoiceAsync(parse, cancellationToken);
            var schedule = new Schedule
            {
                Cron = parse.GetValue(cron)!,
                TimeZone = parse.GetValue(zone),
                Script = choice.Script,
                ScriptName = choice.Name,
                ScriptVersion = choice.Version,
                Language = choice.Language,
                Args = input.ReadArgs(parse) is { } args ? JsonSerializer.SerializeToElement(args) : null,
                // Rounded up, as a submit's is: 0.5ms is 1 ms, not 0.
                TimeoutMs = parse.GetValue(input.ScriptTimeout) is { } timeout ? (long)Math.Ceiling(timeout.TotalMilliseconds) : null,
                Priority = parse.GetValue(priority),
                Retry = CommonOptions.RetryPolicy(parse, retry),
                Overlap = parse.GetValue(overlap),
                Enabled = parse.GetValue(enabled),
            };
            using var client = connection.CreateClient(parse);
            var stored = await client.PutScheduleAsync(parse.GetValue(circle)!, parse.GetValue(name)!, schedule, cancellationToken);
            Output.JsonOr(parse.GetValue(json), stored,
                s => Console.Out.WriteLine(s.NextRunAt is { } next ? $"{s.Name} next runs at {Output.Time(next)}" : $"{s.Name} has no next run"));
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
