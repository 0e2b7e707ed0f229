using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;

namespace Gateway.Api.Apis;

/// <summary>
/// <c>GET …/tasks/{id}/events</c>: server-sent events, usable with <c>curl -N</c>. The first
/// <c>status</c> event is the task as it stands; then one per state change (<c>id</c>,
/// <c>circle</c>, <c>status</c>), the terminal one carrying the whole task; then the stream ends.
/// </summary>
internal static class TaskEventStream
{
    public static async Task Stream(
        string circle,
        string id,
        HttpContext context,
        TaskReader store,
        TaskEvents events,
        IOptions<JsonOptions> json,
        CancellationToken cancellationToken)
    {
        if (!TaskIds.IsWellFormed(id))
        {
            await TasksApi.UnknownTask(circle, id).ExecuteAsync(context);
            return;
        }
        using var watch = events.Watch(circle, id);
        var task = await store.GetAsync(circle, id);
        if (task is null)
        {
            await TasksApi.UnknownTask(circle, id).ExecuteAsync(context);
            return;
        }

        var response = context.Response;
        ServerSentEvents.Start(response);
        var options = json.Value.SerializerOptions;
        await WriteAsync(response, JsonSerializer.Serialize(TaskView.From(task), options), cancellationToken);

        var last = task.Status;
        Func<CancellationToken, ValueTask<TaskState?>> next = watch.Changes.ReadAsync;
        while (!last.IsTerminal())
        {
            var change = await ServerSentEvents.NextAsync(response, next, cancellationToken);
            if (change is null)
            {
                // Messages may have been missed while Redis was away: read the task again.
                task = await store.GetAsync(circle, id);
                if (task is null)
                    return;
                change = task.Status;
            }
            if (change == last)
                continue;
            last = change.Value;
            if (last.IsTerminal())
            {
                task = watch.Finished ?? await store.GetAsync(circle, id);
                if (task is null)
                    return;
                await WriteAsync(response, JsonSerializer.Serialize(TaskView.From(task), options), cancellationToken);
            }
            else
            {
                await WriteAsync(response, JsonSerializer.Serialize(new StatusChange(id, circle, last.ToWire()), options), cancellationToken);
            }
        }
    }

    private static Task WriteAsync(HttpResponse response, string data, CancellationToken cancellationToken) =>
        ServerSentEvents.WriteAsync(response, $"event: status\ndata: {data}\n\n", cancellationToken);

    private sealed record StatusChange(string Id, string Circle, string Status);
}
