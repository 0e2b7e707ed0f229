using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.Core.Redis;

/// <summary>
/// The one pub/sub subscription of a process to every circle's events channel, fanned out in
/// memory: to watchers of one task (waiting requests, event streams) and to listeners of every
/// change (idle workers). When the connection comes back after a drop, every watcher is nudged
/// to read the task again, since messages sent meanwhile are gone.
/// </summary>
public sealed partial class TaskEvents(IConnectionMultiplexer redis, TimeProvider time, ILogger<TaskEvents> log) : IHostedService
{
    private readonly Dictionary<(string Circle, string Id), List<TaskWatch>> _watches = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task? _subscribing;

    /// <summary>Completes once the subscription is in place.</summary>
    public Task Subscribed => _subscribing ?? Task.CompletedTask;

    /// <summary>Raised for every state change of every circle, on the subscription's thread: keep it short.</summary>
    public event Action<string, string, TaskState>? Changed;

    /// <summary>Raised when a cancel is asked for a running task (circle, id): its worker stops it.</summary>
    public event Action<string, string>? CancelRequested;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
                NudgeAll();
        };
        // Redis may be away at start: subscribe in the background, retrying, rather than fail the host.
        _subscribing = Task.Run(() => SubscribeAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task SubscribeAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var queue = await redis.GetSubscriber().SubscribeAsync(RedisKeys.AllEvents);
                queue.OnMessage(Dispatch);
                NudgeAll();
                return;
            }
            catch (RedisException ex)
            {
                LogSubscribeFailed(log, ex, delay);
                await Task.Delay(delay, time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try
        {
            await redis.GetSubscriber().UnsubscribeAsync(RedisKeys.AllEvents);
        }
        catch (RedisException ex)
        {
            LogSubscribeFailed(log, ex, TimeSpan.Zero);
        }
    }

    /// <summary>
    /// Starts watching a task. Watch first, then read the task: a change that lands in between
    /// is then seen by the watch.
    /// </summary>
    public TaskWatch Watch(string circle, string id)
    {
        var watch = new TaskWatch(this, circle, id);
        lock (_lock)
        {
            if (!_watches.TryGetValue((circle, id), out var list))
                _watches[(circle, id)] = list = [];
            list.Add(watch);
        }
        return watch;
    }

    internal void Unwatch(TaskWatch watch)
    {
        lock (_lock)
        {
            if (_watches.TryGetValue((watch.Circle, watch.Id), out var list) && list.Remove(watch) && list.Count == 0)
                _watches.Remove((watch.Circle, watch.Id));
        }
    }

    private void Dispatch(ChannelMessage message)
    {
        var circle = RedisKeys.CircleOfEvents(message.Channel.ToString());
        // The bytes as received: a message is parsed where it lies, and only a watched task's record is read.
        var text = ((ReadOnlyMemory<byte>)message.Message).Span;
        if (circle is null || !TaskEventMessage.TryParse(text, out var parsed))
        {
            LogMalformed(log, message.Channel.ToString());
            return;
        }
        var id = Encoding.UTF8.GetString(parsed.Id);
        if (parsed.IsCancelRequest)
        {
            CancelRequested?.Invoke(circle, id);
            return;
        }
        if (!TaskStates.TryParseUtf8(parsed.Word, out var state))
        {
            LogMalformed(log, message.Channel.ToString());
            return;
        }
        bool watched;
        lock (_lock)
            watched = _watches.ContainsKey((circle, id));
        if (watched)
        {
            // Read only for a request here that waits for it: most messages are for no one here.
            var record = parsed.RecordJson.IsEmpty ? null : ReadRecord(circle, id, parsed.RecordJson);
            lock (_lock)
            {
                if (_watches.TryGetValue((circle, id), out var list))
                {
                    foreach (var watch in list)
                        watch.Post(state, record);
                }
            }
        }

        try
        {
            Changed?.Invoke(circle, id, state);
        }
        catch (Exception ex)
        {
            LogListenerFailed(log, ex);
        }
    }

    /// <summary>
    /// A task this process just finished: its watchers here learn of it at once, with the record
    /// as written, rather than when the completion message comes back from Redis. Listeners of
    /// <see cref="Changed"/> still hear of it from the message, as every other process does.
    /// </summary>
    public void Finished(TaskRecord record)
    {
        lock (_lock)
        {
            if (_watches.TryGetValue((record.Circle, record.Id), out var list))
            {
                foreach (var watch in list)
                    watch.Post(record.Status, record);
            }
        }
    }

    private TaskRecord? ReadRecord(string circle, string id, ReadOnlySpan<byte> json)
    {
        try
        {
            var record = JsonSerializer.Deserialize(json, CoreJson.Default.TaskRecord);
            return record is not null && record.Id == id && record.Circle == circle ? record : null;
        }
        catch (JsonException)
        {
            LogMalformed(log, RedisKeys.Events(circle));
            return null;
        }
    }

    private void NudgeAll()
    {
        lock (_lock)
        {
            foreach (var list in _watches.Values)
            {
                foreach (var watch in list)
                    watch.Post(null, null);
            }
        }
        Changed?.Invoke("", "", TaskState.Pending);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not subscribe to task events; retrying in {Delay}")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a malformed message on {Channel}")]
    private static partial void LogMalformed(ILogger logger, string channel);

    [LoggerMessage(Level = LogLevel.Error, Message = "A task-event listener failed")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception);
}

/// <summary>
/// The changes of one task, in order. A null item means "read the task again": messages may have
/// been missed while the connection was down.
/// </summary>
public sealed class TaskWatch : IDisposable
{
    private readonly TaskEvents _owner;
    private readonly Channel<TaskState?> _changes = Channel.CreateUnbounded<TaskState?>(new() { SingleReader = true });

    internal TaskWatch(TaskEvents owner, string circle, string id)
    {
        _owner = owner;
        Circle = circle;
        Id = id;
    }

    public string Circle { get; }

    public string Id { get; }

    public ChannelReader<TaskState?> Changes => _changes.Reader;

    /// <summary>Waits for a terminal state (or a nudge to re-read); false when the time ran out.</summary>
    public async Task<bool> WaitForTerminalOrNudgeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await foreach (var state in _changes.Reader.ReadAllAsync(cts.Token))
            {
                if (state is null || state.Value.IsTerminal())
                    return true;
            }
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>The task as its completion message told it, when the message carried it.</summary>
    public TaskRecord? Finished { get; private set; }

    internal void Post(TaskState? state, TaskRecord? record)
    {
        if (record is not null && record.Status.IsTerminal())
            Finished = record;
        _changes.Writer.TryWrite(state);
    }

    public void Dispose()
    {
        _owner.Unwatch(this);
        _changes.Writer.TryComplete();
    }
}
