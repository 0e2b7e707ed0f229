using System.Globalization;

namespace Gateway.Cli.Commands;

/// <summary><c>gw pause</c> and <c>gw resume</c>: stop a circle's claims for a while, and start them again.</summary>
internal static class PauseCommands
{
    public static Command Pause(ConnectionOptions connection) => Create(connection, "pause",
        "Pause a circle: its tasks are still accepted and wait; no worker claims one until 'gw resume'. Running tasks finish.",
        (client, circle, cancellationToken) => client.PauseCircleAsync(circle, cancellationToken));

    public static Command Resume(ConnectionOptions connection) => Create(connection, "resume",
        "Resume a paused circle: workers claim its waiting tasks again.",
        (client, circle, cancellationToken) => client.ResumeCircleAsync(circle, cancellationToken));

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
