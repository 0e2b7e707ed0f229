using System.Text.Json;

namespace Gateway.Cli.Commands;

/// <summary><c>gw batch FILE... --circle C</c>: every file one task of a single batch request, in order.</summary>
internal static class BatchCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "Script files, one task each, in this order (.rhai is Rhai, anything else JavaScript); - reads one of them from standard input",
            Arity = ArgumentArity.OneOrMore,
        };
        var input = new ScriptInput();
        var circle = CommonOptions.Circle();
        var priority = new Option<int?>("--priority") { Description = "0 (default) … 9 for every task; higher runs first" };
        var wait = CommonOptions.Duration("--wait",
            "Wait up to this long (at most the server's limit, 60s by default) for every task to finish; then print each one's status and result");
        var json = CommonOptions.Json("Print the tasks as JSON");
        var command = new Command("batch",
            "Submit several scripts in one request, each a task with the same args; prints their ids in order, or with --wait how each ended: "
            + "0 all completed, 1 one failed or was cancelled, 3 one still running.")
        {
            files, input.Arg, input.Args, input.Language, input.ScriptTimeout, circle, priority, wait, json,
        };
        return command.SetClientAction(connection, async (client, parse, cancellationToken) =>
        {
            var paths = parse.GetValue(files)!;
            if (paths.Count(p => p == "-") > 1)
                throw new UsageException("Standard input (-) can give one of the scripts only.");
            var args = input.ReadArgs(parse);
            var tasks = new List<TaskSubmission>(paths.Length);
            foreach (var path in paths)
            {
                var (script, language) = await ScriptInput.ReadFileAsync(path, parse.GetValue(input.Language), cancellationToken);
                tasks.Add(new TaskSubmission(script, args, new SubmitOptions
                {
                    Language = language,
                    ScriptTimeout = parse.GetValue(input.ScriptTimeout),
                    Priority = parse.GetValue(priority),
                }));
            }

            var waitFor = parse.GetValue(wait);
            SubmittedBatch batch;
            await using (waitFor is null ? null : Spinner.Start("running"))
                batch = await client.SubmitBatchAsync(parse.GetValue(circle)!, tasks, waitFor, cancellationToken);

            if (parse.GetValue(json))
                Output.Json(batch.ToArray());
            else if (waitFor is null)
                foreach (var task in batch)
                    Console.Out.WriteLine(task.Id);
            else
                Output.Table(["TASK", "STATUS", "RESULT"], batch.Select(t => new[] { t.Id, t.Status.ToWire(), Outcome(t) }));

            if (waitFor is null || batch.All(t => t.Status == GatewayTaskStatus.Completed))
                return ExitCodes.Ok;
            return batch.Any(t => t.Status is GatewayTaskStatus.Failed or GatewayTaskStatus.Cancelled) ? ExitCodes.Failed : ExitCodes.TimedOut;
        });
    }

    /// <summary>A finished task's result on one line (a string as it is, anything else as JSON), or its error.</summary>
    private static string Outcome(GatewayTask task) => (task.Status switch
    {
        GatewayTaskStatus.Completed => task.Result is { ValueKind: JsonValueKind.String } text ? text.GetString()! : task.Result?.GetRawText() ?? "null",
        GatewayTaskStatus.Failed => task.Error is { } error ? $"{error.Code}: {error.Message}" : "",
        _ => "",
    }).ReplaceLineEndings(" ");
}
