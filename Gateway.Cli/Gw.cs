using Gateway.Cli.Commands;

namespace Gateway.Cli;

/// <summary>The <c>gw</c> command tree.</summary>
internal static class Gw
{
    public static async Task<int> RunAsync(string[] args)
    {
        var connection = new ConnectionOptions();
        var root = new RootCommand("gw: run scripts on a Gateway and look after their tasks.")
        {
            connection.Url,
            connection.ApiKey,
            connection.RequestTimeout,
            RunCommand.Create(connection),
            TaskCommands.Submit(connection),
            BatchCommand.Create(connection),
            TaskCommands.Get(connection),
            TaskCommands.Source(connection),
            TaskCommands.Wait(connection),
            TaskCommands.Watch(connection),
            TaskCommands.Cancel(connection),
            TaskCommands.Retry(connection),
            CircleCommands.RetryFailed(connection),
            ListCommands.Tasks(connection),
            ListCommands.Circles(connection),
            CircleCommands.Pause(connection),
            CircleCommands.Resume(connection),
            CircleCommands.Drain(connection),
            ListCommands.Workers(connection),
            ListCommands.Health(connection),
            StreamCommand.Create(connection),
            ScriptCommands.Create(connection),
            ScheduleCommands.Create(connection),
            EntityCommands.Create(connection),
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                Console.Error.WriteLine($"gw: {error.Message}");
            Console.Error.WriteLine("Run 'gw --help' for usage.");
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync();
    }
}
