using System.Globalization;

namespace Gateway.Cli.Commands;

/// <summary><c>gw tasks</c>, <c>circles</c>, <c>workers</c>, <c>health</c>: tables, or JSON with --json.</summary>
internal static class ListCommands
{
    public static Command Tasks(ConnectionOptions connection)
    {
        var circle = CommonOptions.Circle();
        var status = new Option<string?>("--status", "-s") { Description = "Only tasks in this state" };
        status.AcceptOnlyFromAmong("scheduled", "pending", "processing", "completed", "failed", "cancelled");
        var limit = new Option<int>("--limit", "-n") { Description = "How many at most, read 500 at a time", DefaultValueFactory = _ => 50 }.AtLeast(1);
        var before = new Option<string>("--before") { Description = "Start after this task: the one the line \"More: …\" names" }.NotEmpty();
        var json = CommonOptions.Json("Print the tasks as a JSON array");
        return new Command("tasks", "The circle's recent tasks, newest first.") { circle, status, limit, before, json }.SetClientAction(
            connection, async (client, parse, cancellationToken) =>
            {
                var filter = parse.GetValue(status) is { } s ? GatewayTaskStatusExtensions.Parse(s) : (GatewayTaskStatus?)null;
                var tasks = new List<GatewayTask>();
                var next = parse.GetValue(before);
                do
                {
                    var page = await client.ListTasksPageAsync(parse.GetValue(circle)!, filter, Math.Min(parse.GetValue(limit) - tasks.Count, 500), next, cancellationToken);
                    tasks.AddRange(page.Tasks);
                    next = page.NextBefore;
                }
                while (tasks.Count < parse.GetValue(limit) && next is not null);
                Output.JsonOr(parse.GetValue(json), tasks, list => Output.Table(["ID", "STATUS", "CREATED", "MS", "ERROR"], list.Select(t => new[]
                {
                    t.Id,
                    t.Status.ToWire(),
                    Output.Time(t.CreatedAt),
                    t.DurationMs is { } ms ? ms.ToString("0.#", CultureInfo.InvariantCulture) : "-",
                    t.Error?.Code ?? "",
                })));
                if (next is not null)
                    Console.Error.WriteLine($"More: gw tasks --circle {parse.GetValue(circle)}{(parse.GetValue(status) is { } st ? " --status " + st : "")} --before {next}");
                return ExitCodes.Ok;
            });
    }

    public static Command Circles(ConnectionOptions connection)
    {
        var json = CommonOptions.Json("Print the circles as a JSON array");
        return new Command("circles", "Circles with their queue figures and what their entities take against the limit.") { json }.SetPrintAction(
            connection, json,
            (client, _, cancellationToken) => client.ListCirclesAsync(cancellationToken),
            circles => Output.Table(["CIRCLE", "PENDING", "SCHEDULED", "PROCESSING", "FAILED", "RECENT", "ENTITIES", "PAUSED"], circles.Select(c => new[]
            {
                c.Name, N(c.Pending), N(c.Scheduled), N(c.Processing), N(c.Failed), N(c.Recent), $"{Bytes(c.EntityBytes)} of {Bytes(c.EntityBytesLimit)}",
                c.Paused ? "yes" : "no",
            })));
    }

    public static Command Workers(ConnectionOptions connection)
    {
        var json = CommonOptions.Json("Print the workers as a JSON array");
        return new Command("workers", "Live worker processes.") { json }.SetPrintAction(
            connection, json,
            (client, _, cancellationToken) => client.ListWorkersAsync(cancellationToken),
            workers => Output.Table(["WORKER", "HOST", "CIRCLES", "BUSY", "PROCESSED", "LAST SEEN"], workers.Select(w => new[]
            {
                w.Id, w.Host, string.Join(',', w.Circles), $"{w.Busy}/{w.Concurrency}", N(w.Processed), Output.Time(w.LastSeenAt),
            })));
    }

    /// <summary>The API's readiness checks; exits 1 when one failed, so a script can wait for a ready gateway.</summary>
    public static Command Health(ConnectionOptions connection)
    {
        var json = CommonOptions.Json("Print the report as JSON");
        return new Command("health", "The API's readiness checks, each with its status and what it found; exit 1 when unhealthy.") { json }
            .SetClientAction(connection, async (client, parse, cancellationToken) =>
            {
                var health = await client.GetHealthAsync(cancellationToken);
                Output.JsonOr(parse.GetValue(json), health, h =>
                {
                    Console.Out.WriteLine($"{h.Status} at {Output.Time(h.CheckedAt)}");
                    Output.Table(["CHECK", "STATUS", "MS", "DETAIL"], h.Checks.Select(c => new[]
                    {
                        c.Name, c.Status, c.DurationMs.ToString("0.#", CultureInfo.InvariantCulture), c.Description ?? "",
                    }));
                });
                return health.IsReady ? ExitCodes.Ok : ExitCodes.Failed;
            });
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A byte count as people read it: 512 B, 1.5 KiB, 64 MiB.</summary>
    private static string Bytes(long value)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        var size = (double)value;
        var unit = 0;
        while (size >= 1024 && unit < units.Length - 1)
        {
            size /= 1024;
            unit++;
        }
        return string.Create(CultureInfo.InvariantCulture, $"{(unit == 0 ? size.ToString("0") : size.ToString("0.#"))} {units[unit]}");
    }
}
