using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Gateway.Api.Security;
using Microsoft.AspNetCore.Http.Json;

namespace Gateway.Api.Apis;

/// <summary>
/// Server-sent events for many tasks at once: <c>GET …/circles/{circle}/tasks/stream</c> for one
/// circle, <c>GET /api/tasks/stream</c> for every circle the caller may use. One <c>status</c>
/// event per state change, its data the task as read when the event is sent (without script and
/// args), until the client leaves. A fast task may already have left a change's status when that
/// change is read: its event is then left out, since the later change's own event tells the task
/// as it is (every change publishes a message, in order; a lost one means <c>resync</c>). So no
/// status is sent for a task that no longer has it, and a finished state is sent once. A
/// <c>resync</c> event says changes may have been missed (Redis reconnected, or the client read
/// too slowly): read the lists again.
/// </summary>
internal static class CircleStream
{
    /// <summary>What the document says of the stream's events.</summary>
    public const string Description =
        "Each `status` event's data is the task as read when the event is sent. A fast task may have left a " +
        "status by the time its change is read (a task that completed before its `processing` was sent): that " +
        "change is left out, and the later change's event tells the task, so each task's finished state arrives " +
        "once. A `resync` event says changes may have been missed (Redis reconnected, or the client read too " +
        "slowly): read the task lists again.";

    /// <summary>Changes buffered per client; past this the client is told to resync rather than the process holding more.</summary>
    private const int Buffer = 4096;

    /// <summary>Changes read from Redis together, in one pipelined round trip.</summary>
    private const int ReadBatch = 256;

    public static Task OneCircle(string circle, HttpContext context, TaskReader store, TaskEvents events,
        IOptions<JsonOptions> json, CancellationToken cancellationToken) =>
        RunAsync(c => c == circle, context, store, events, json.Value.SerializerOptions, cancellationToken);

    public static Task EveryCircle(HttpContext context, TaskReader store, TaskEvents events,
        IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        var user = context.User;
        return RunAsync(user.MayUse, context, store, events, json.Value.SerializerOptions, cancellationToken);
    }

    private static async Task RunAsync(Func<string, bool> wanted, HttpContext context, TaskReader store, TaskEvents events,
        JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        var lagged = new Lagged();
        var changes = Channel.CreateBounded<Change>(
            new BoundedChannelOptions(Buffer) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
            _ => lagged.Set());
        // Runs on the subscription's thread for every change of every circle: only a filter and a write.
        void OnChanged(string circle, string id, TaskState state)
        {
            if (circle.Length == 0)
                lagged.Set(); // the subscription came back: messages may be lost
            else if (wanted(circle))
                changes.Writer.TryWrite(new Change(circle, id, state));
        }

        events.Changed += OnChanged;
        try
        {
            var response = context.Response;
            ServerSentEvents.Start(response);
            // Sent at once, so a client knows it is listening before anything changes.
            await ServerSentEvents.WriteAsync(response, ": open\n\n", cancellationToken);

            var batch = new List<Change>(ReadBatch);
            var text = new StringBuilder();
            Func<CancellationToken, ValueTask<bool>> next = changes.Reader.WaitToReadAsync;
            while (!cancellationToken.IsCancellationRequested)
            {
                await ServerSentEvents.NextAsync(response, next, cancellationToken);
                batch.Clear();
                while (batch.Count < ReadBatch && changes.Reader.TryRead(out var change))
                    batch.Add(change);
                text.Clear();
                if (lagged.Take())
                    text.Append("event: resync\ndata: {}\n\n");

                // One read per task, however many of its changes the batch holds.
                var reads = new Dictionary<(string, string), Task<TaskRecord?>>();
                foreach (var change in batch)
                {
                    if (!reads.ContainsKey((change.Circle, change.Id)))
                        reads[(change.Circle, change.Id)] = store.GetAsync(change.Circle, change.Id);
                }
                await Task.WhenAll(reads.Values);
                foreach (var change in batch)
                {
                    if (await reads[(change.Circle, change.Id)] is not { } task)
                        continue; // gone: past its retention
                    if (task.Status != change.State)
                        continue; // moved on: its later change's own event follows
                    text.Append("event: status\ndata: ").Append(JsonSerializer.Serialize(TaskView.From(task), json)).Append("\n\n");
                }
                if (text.Length > 0)
                    await ServerSentEvents.WriteAsync(response, text.ToString(), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client left.
        }
        finally
        {
            events.Changed -= OnChanged;
        }
    }

    /// <summary>Set when changes may have been missed; taken by the writer, which then sends <c>resync</c>.</summary>
    private sealed class Lagged
    {
        private int _value;

        public void Set() => Volatile.Write(ref _value, 1);

        public bool Take() => Interlocked.Exchange(ref _value, 0) == 1;
    }

    private readonly record struct Change(string Circle, string Id, TaskState State);
}
