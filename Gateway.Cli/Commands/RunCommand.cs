namespace Gateway.Cli.Commands;

/// <summary><c>gw run FILE|- --circle C</c> (or <c>--script-name NAME</c>): submit, wait, print the result.</summary>
internal static class RunCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var input = new ScriptInput("its latest version");
        var circle = CommonOptions.Circle();
        var timeout = CommonOptions.Timeout("How long to wait for the result; then exit 3 and print the task id", TimeSpan.FromSeconds(30));
        var json = CommonOptions.Json();
        var command = input.NewCommand("run", "Run a script and print its result: 0 completed, 1 failed, 3 still running when --timeout passed.", circle, timeout, json);
        command.SetAction((parse, cancellationToken) => Guard.RunAsync(async () =>
        {
            var choice = await input.ReadChoiceAsync(parse, cancellationToken);
            var args = input.ReadArgs(parse);
            var options = new SubmitOptions
            {
                Language = choice.Language,
                ScriptName = choice.Name,
                ScriptVersion = choice.Version,
                ScriptTimeout = parse.GetValue(input.ScriptTimeout),
            };
            using var client = connection.CreateClient(parse);
            var limit = parse.GetValue(timeout);
            GatewayTask task;
            await using (Spinner.Start("running"))
            {
                try
                {
                    task = await client.RunAsync(parse.GetValue(circle)!, choice.Script, args, limit, options, cancellationToken);
                }
                catch (GatewayTaskException ex)
                {
                    task = ex.Task;
                }
            }
            return Finish(task, parse.GetValue(json), limit);
        }, cancellationToken));
        return command;
    }

    /// <summary>Prints a task that was waited for and says how it ended, for <c>run</c> and <c>wait</c>.</summary>
    public static int Finish(GatewayTask task, bool json, TimeSpan waited)
    {
        Output.ScriptOutput(task);
        if (json)
            Output.Json(task);
        switch (task.Status)
        {
            case GatewayTaskStatus.Completed:
                if (!json)
                    Output.Result(task.Result);
                return ExitCodes.Ok;
            case GatewayTaskStatus.Failed:
                Output.Error(task.Error);
                return ExitCodes.Failed;
            case GatewayTaskStatus.Cancelled:
                Console.Error.WriteLine($"task {task.Id} was cancelled");
                return ExitCodes.Failed;
            default:
                // The id on stdout, so a script can wait again: id=$(gw run …) || gw wait "$id" …
                if (!json)
                    Console.Out.WriteLine(task.Id);
                Console.Error.WriteLine($"timed out after {waited.TotalSeconds:0.#}s: task {task.Id} is still {task.Status.ToWire()}; " +
                    $"wait for it with: gw wait {task.Id} --circle {task.Circle}");
                return ExitCodes.TimedOut;
        }
    }
}
