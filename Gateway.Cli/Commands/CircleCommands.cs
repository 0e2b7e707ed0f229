using System.Globalization;

namespace Gateway.Cli.Commands;

/// <summary>
/// What acts on a whole circle: <c>gw pause</c> and <c>gw resume</c> stop its claims for a while
/// and start them again; <c>gw drain</c> cancels what waits in it; <c>gw retry-failed</c> runs its
/// failed tasks again.
/// </summary>
internal static class CircleCommands
{
    public static Command Pause(ConnectionOptions connection) => Create(connection, "pause",
        "Pause a circle: its tasks are still accepted and wait; no worker claims one until 'gw resume'. Running tasks finish.",
        (client, circle, cancellationToken) => client.PauseCircleAsync(circle, cancellationToken));

    public static Command Resume(ConnectionOptions connection) => Create(connection, "resume",
        "Resume a paused circle: workers claim its waiting tasks again.",
        (client, circle, cancellationToken) => client.ResumeCircleAsync(circle, cancellationToken));

    public static Command Drain(ConnectionOptions connection) => OnCircle(connection, "drain",
        "Cancel every task waiting in a circle, in any priority. Running tasks go on; pause the circle first to let nothing start meanwhile.",
        new Option<bool>("--scheduled") { Description = "Cancel the scheduled tasks too (delayed, or waiting out a retry's backoff)" },
        "Print what the drain did as JSON",
        (client, circle, scheduled, cancellationToken) => client.DrainCircleAsync(circle, scheduled, cancellationToken),
        d => Console.Out.WriteLine(
            $"circle {d.Circle.Name}: {d.Cancelled.ToString(CultureInfo.InvariantCulture)} waiting tasks cancelled; {Figures(d.Circle)}"));

    public static Command RetryFailed(ConnectionOptions connection) => OnCircle(connection, "retry-failed",
        "Run a circle's failed tasks again, each as a new task: those not re-run yet, newest first; prints the new task ids.",
        new Option<int>("--limit", "-n") { Description = "How many at most, 1 … 500", DefaultValueFactory = _ => 100 }.AtLeast(1),
        "Print the new tasks as JSON",
        (client, circle, limit, cancellationToken) => client.RetryFailedAsync(circle, limit, cancellationToken),
        tasks =>
        {
            foreach (var task in tasks)
                Console.Out.WriteLine(task.Id);
            Console.Error.WriteLine($"{tasks.Count.ToString(CultureInfo.InvariantCulture)} failed {(tasks.Count == 1 ? "task" : "tasks")} run again");
        });

    /// <summary><c>gw NAME --circle C [OPTION] [--json]</c>: one call on a circle, printing what it answers.</summary>
    private static Command OnCircle<TOption, T>(ConnectionOptions connection, string name, string description, Option<TOption> option, string jsonDescription,
        Func<GatewayClient, string, TOption, CancellationToken, Task<T>> call, Action<T> plain)
    {
        var circle = CommonOptions.Circle();
        var json = CommonOptions.Json(jsonDescription);
        return new Command(name, description) { circle, option, json }.SetPrintAction(
            connection, json, (client, parse, cancellationToken) => call(client, parse.GetValue(circle)!, parse.GetValue(option)!, cancellationToken), plain);
    }

    private static string Figures(CircleInfo c) =>
        $"{c.Pending.ToString(CultureInfo.InvariantCulture)} pending, {c.Scheduled.ToString(CultureInfo.InvariantCulture)} scheduled, {c.Processing.ToString(CultureInfo.InvariantCulture)} processing";

    private static Command Create(ConnectionOptions connection, string name, string description,
        Func<GatewayClient, string, CancellationToken, Task<CircleInfo>> send)
    {
        var circle = CommonOptions.Circle();
        var json = CommonOptions.Json("Print the circle's figures as JSON");
        return new Command(name, description) { circle, json }.SetPrintAction(
            connection, json,
            (client, parse, cancellationToken) => send(client, parse.GetValue(circle)!, cancellationToken),
            c => Console.Out.WriteLine(
                $"circle {c.Name} {(c.Paused ? "paused" : "resumed")}: {c.Pending.ToString(CultureInfo.InvariantCulture)} pending, {c.Processing.ToString(CultureInfo.InvariantCulture)} processing"));
    }
}
