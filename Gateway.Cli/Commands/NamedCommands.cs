namespace Gateway.Cli.Commands;

/// <summary>What <c>gw scripts</c> and <c>gw schedules</c> share: the NAME argument and <c>delete</c>.</summary>
internal static class NamedCommands
{
    public static Argument<string> Name(string what) => new Argument<string>("NAME") { Description = $"The {what}'s name in the circle" }.NotEmpty();

    public static Command Delete(
        ConnectionOptions connection, string what, string description, Func<GatewayClient, string, string, CancellationToken, Task> delete)
    {
        var name = Name(what);
        var circle = CommonOptions.Circle();
        return new Command("delete", description) { name, circle }.SetClientAction(connection, async (client, parse, cancellationToken) =>
        {
            await delete(client, parse.GetValue(circle)!, parse.GetValue(name)!, cancellationToken);
            Console.Out.WriteLine($"{parse.GetValue(name)} deleted");
            return ExitCodes.Ok;
        });
    }
}
