using System.Text.Json;

namespace Gateway.Cli.Commands;

/// <summary><c>gw stream --circle C</c>: every state change of every task of the circle, as it happens.</summary>
internal static class StreamCommand
{
    public static Command Create(ConnectionOptions connection)
    {
        var circle = CommonOptions.Circle();
        var json = CommonOptions.Json("Print each change as one line of JSON (the task as it stands)");
        return new Command("stream", "Follow a circle: one line per state change of any of its tasks, until Ctrl+C (exit 0).") { circle, json }.SetClientAction(
            connection, async (client, parse, cancellationToken) =>
        {
            var asJson = parse.GetValue(json);
            try
            {
                // Told on stderr, so that the lines on stdout stay one per change.
                static void Missed() => Console.Error.WriteLine("gw: changes may have been missed (the stream was interrupted); read the tasks again with gw tasks");
                await foreach (var task in client.WatchCircleAsync(parse.GetValue(circle)!, Missed, cancellationToken))
                    Console.Out.WriteLine(asJson ? JsonSerializer.Serialize(task, JsonSerializerOptions.Web) : Line(task));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C is how a stream is meant to end, not an interruption of work.
            }
            return ExitCodes.Ok;
        });
    }

    /// <summary><c>12:00:01.250  id  status</c>, then the error code of a failed task.</summary>
    private static string Line(GatewayTask task)
    {
        var line = $"{TimeProvider.System.GetUtcNow():HH:mm:ss.fff}  {task.Id}  {task.Status.ToWire()}";
        return task.Status == GatewayTaskStatus.Failed && task.Error is { } error ? $"{line}  {error.Code}" : line;
    }
}
