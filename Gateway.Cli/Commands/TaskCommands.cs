namespace Gateway.Cli.Commands;

/// <summary><c>gw submit</c>, <c>get</c>, <c>source</c>, <c>wait</c>, <c>watch</c>, <c>cancel</c>, <c>retry</c>: one task at a time.</summary>
internal static class TaskCommands
{
    public static Command Submit(ConnectionOptions connection)
    {
        var input = new ScriptInput("its latest version");
        var circle = CommonOptions.Circle();
        var json = CommonOptions.Json("Print the whole task as JSON instead of its id");
        var delay = CommonOptions.Duration("--delay", "Run after this delay");
        var at = new Option<DateTimeOffset?>("--at") { Description = "Run no earlier than this instant (ISO 8601); not with --delay" };
        var retry = CommonOptions.Retry();
        var priority = new Option<int?>("--priority") { Description = "0 (default) … 9; higher runs first" };
        var key = new Option<string?>("--idempotency-key") { Description = "Submitting again with the same key and body returns the same task" };
        var command = input.NewCommand("submit", "Submit a script without waiting; prints the task id.", circle, json, delay, at, retry, priority, key);
        command.Validators.Add(result =>
        {
            // Named as the command line names them, not as the client's options do.
            if (result.GetResult(delay) is not null && result.GetResult(at) is not null)
                result.AddError("Give --at or --delay, not both.");
        });
        command.SetAction((parse, cancellationToken) => Guard.RunAsync(async () =>
        {
            var choice = await input.ReadChoiceAsync(parse, cancellationToken);
            var options = new SubmitOptions
            {
                Language = choice.Language,
                ScriptName = choice.Name,
                ScriptVersion = choice.Version,
                ScriptTimeout = parse.GetValue(input.ScriptTimeout),
                Delay = parse.GetValue(delay),
                RunAt = parse.GetValue(at),
                Retry = CommonOptions.RetryPolicy(parse, retry),
                Priority = parse.GetValue(priority),
                IdempotencyKey = parse.GetValue(key),
            };
            using var client = connection.CreateClient(parse);
            var task = await client.SubmitAsync(parse.GetValue(circle)!, choice.Script, input.ReadArgs(parse), options, cancellationToken: cancellationToken);
            Output.JsonOr(parse.GetValue(json), task, t => Console.Out.WriteLine(t.Id));
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    public static Command Get(ConnectionOptions connection)
    {
        var id = CommonOptions.TaskId();
        var circle = CommonOptions.Circle();
        return new Command("get", "Print a task as JSON.") { id, circle }.SetClientAction(connection, async (client, parse, cancellationToken) =>
        {
            Output.Json(await client.GetAsync(parse.GetValue(circle)!, parse.GetValue(id)!, cancellationToken: cancellationToken));
            return ExitCodes.Ok;
        });
    }

    public static Command Source(ConnectionOptions connection)
    {
        var id = CommonOptions.TaskId();
        var circle = CommonOptions.Circle();
        var json = CommonOptions.Json("Print the script with its args and trace id as JSON instead of its text");
        return new Command("source", "Print the script a task was submitted with (so it can be saved to a file); its args and trace id go to stderr.")
        {
            id, circle, json,
        }.SetPrintAction(
            connection, json,
            (client, parse, cancellationToken) => client.GetSourceAsync(parse.GetValue(circle)!, parse.GetValue(id)!, cancellationToken),
            source =>
            {
                Output.ScriptText(source.Script);
                Console.Error.WriteLine($"args: {source.Args.GetRawText()}");
                if (source.TraceId is { } trace)
                    Console.Error.WriteLine($"trace id: {trace}");
            });
    }

    public static Command Wait(ConnectionOptions connection)
    {
        var id = CommonOptions.TaskId();
        var circle = CommonOptions.Circle();
        var timeout = CommonOptions.Timeout("How long to wait; then exit 3", TimeSpan.FromSeconds(30));
        var json = CommonOptions.Json();
        return new Command("wait", "Wait for a task to finish and print its result, as gw run does.") { id, circle, timeout, json }.SetClientAction(
            connection, async (client, parse, cancellationToken) =>
            {
                var limit = parse.GetValue(timeout);
                GatewayTask task;
                await using (Spinner.Start("waiting"))
                    task = await client.WaitAsync(parse.GetValue(circle)!, parse.GetValue(id)!, limit, cancellationToken);
                return RunCommand.Finish(task, parse.GetValue(json), limit);
            });
    }

    public static Command Watch(ConnectionOptions connection)
    {
        var id = CommonOptions.TaskId();
        var circle = CommonOptions.Circle();
        var json = CommonOptions.Json("Print each event as one line of JSON");
        return new Command("watch", "Print a task's state changes as they happen, until it finishes.") { id, circle, json }.SetClientAction(
            connection, async (client, parse, cancellationToken) =>
        {
            TaskEvent? last = null;
            await foreach (var change in client.WatchAsync(parse.GetValue(circle)!, parse.GetValue(id)!, cancellationToken))
            {
                last = change;
                if (parse.GetValue(json))
                    Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(change.Task ?? (object)new { change.Id, change.Circle, Status = change.Status.ToWire() },
                        System.Text.Json.JsonSerializerOptions.Web));
                else
                    Console.Out.WriteLine($"{TimeProvider.System.GetUtcNow():HH:mm:ss.fff}  {change.Status.ToWire()}");
            }
            if (last?.Task is { } finished && !parse.GetValue(json))
            {
                Output.ScriptOutput(finished);
                if (finished.Status == GatewayTaskStatus.Completed)
                    Output.Result(finished.Result);
                else if (finished.Status == GatewayTaskStatus.Failed)
                    Output.Error(finished.Error);
            }
            return last?.Status == GatewayTaskStatus.Completed ? ExitCodes.Ok : ExitCodes.Failed;
        });
    }

    public static Command Cancel(ConnectionOptions connection) =>
        OnTask(connection, "cancel", "Cancel a pending or running task.",
            (client, circle, id, cancellationToken) => client.CancelAsync(circle, id, cancellationToken),
            task => Console.Out.WriteLine(task.Status == GatewayTaskStatus.Cancelled ? $"{task.Id} cancelled" : $"{task.Id} stopping ({task.Status.ToWire()})"));

    public static Command Retry(ConnectionOptions connection) =>
        OnTask(connection, "retry", "Run a failed or cancelled task again as a new task; prints the new task id.",
            (client, circle, id, cancellationToken) => client.RetryAsync(circle, id, cancellationToken),
            task => Console.Out.WriteLine(task.Id));

    /// <summary><c>gw NAME ID --circle C [--json]</c>: one call on a task, printing the task it answers.</summary>
    private static Command OnTask(
        ConnectionOptions connection, string name, string description,
        Func<GatewayClient, string, string, CancellationToken, Task<GatewayTask>> call, Action<GatewayTask> plain)
    {
        var id = CommonOptions.TaskId();
        var circle = CommonOptions.Circle();
        var json = CommonOptions.Json();
        return new Command(name, description) { id, circle, json }.SetPrintAction(
            connection, json, (client, parse, cancellationToken) => call(client, parse.GetValue(circle)!, parse.GetValue(id)!, cancellationToken), plain);
    }
}
