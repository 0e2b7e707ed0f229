namespace Gateway.Cli.Commands;

/// <summary>
/// The action of a command that talks to the gateway: a client for this invocation, and
/// everything that can go wrong turned into a message and an exit code by <see cref="Guard"/>.
/// </summary>
internal static class ClientAction
{
    public static Command SetClientAction(
        this Command command, ConnectionOptions connection, Func<GatewayClient, ParseResult, CancellationToken, Task<int>> action)
    {
        command.SetAction((parse, cancellationToken) => Guard.RunAsync(async () =>
        {
            using var client = connection.CreateClient(parse);
            return await action(client, parse, cancellationToken);
        }, cancellationToken));
        return command;
    }

    /// <summary>One value fetched and printed: as JSON with <paramref name="json"/>, else as <paramref name="plain"/> prints it; exit 0.</summary>
    public static Command SetPrintAction<T>(
        this Command command, ConnectionOptions connection, Option<bool> json,
        Func<GatewayClient, ParseResult, CancellationToken, Task<T>> fetch, Action<T> plain) =>
        command.SetClientAction(connection, async (client, parse, cancellationToken) =>
        {
            Output.JsonOr(parse.GetValue(json), await fetch(client, parse, cancellationToken), plain);
            return ExitCodes.Ok;
        });
}
