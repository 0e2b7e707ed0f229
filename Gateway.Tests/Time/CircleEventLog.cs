using System.Collections.Concurrent;
using Gateway.Core.Redis;
using StackExchange.Redis;

namespace Gateway.Tests.Time;

/// <summary>
/// Every message on one circle's events channel, in the order Redis published them, with the
/// wall time this process received each: what a test needs to see when a task changed state.
/// </summary>
public sealed class CircleEventLog : IAsyncDisposable
{
    private readonly RedisChannel _channel;
    private readonly ConcurrentQueue<Entry> _entries = new();

    private CircleEventLog(string circle) => _channel = RedisChannel.Literal(RedisKeys.Events(circle));

    public sealed record Entry(DateTimeOffset At, string Id, string Word);

    public static async Task<CircleEventLog> StartAsync(string circle)
    {
        var log = new CircleEventLog(circle);
        var queue = await TestRedis.Connection.GetSubscriber().SubscribeAsync(log._channel);
        // OnMessage keeps the order of publication, unlike a plain handler.
        queue.OnMessage(message =>
        {
            var parts = ((string?)message.Message ?? "").Split(' ', 3);
            if (parts.Length >= 2)
                log._entries.Enqueue(new Entry(DateTimeOffset.UtcNow, parts[0], parts[1]));
        });
        return log;
    }

    public IReadOnlyList<Entry> Entries => _entries.ToArray();

    /// <summary>The entries of one task, in order.</summary>
    public IReadOnlyList<Entry> Of(string id) => _entries.Where(e => e.Id == id).ToArray();

    public async ValueTask DisposeAsync() => await TestRedis.Connection.GetSubscriber().UnsubscribeAsync(_channel);
}
