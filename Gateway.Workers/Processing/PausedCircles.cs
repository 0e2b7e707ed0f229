using System.Collections.Concurrent;
using System.Threading.Channels;
using Gateway.Core.Telemetry;
using StackExchange.Redis;

namespace Gateway.Workers.Processing;

/// <summary>
/// This process's copy of the paused circles (<see cref="CirclePauses"/>): read at start, after the
/// subscription reconnects (messages may have been missed) and once a minute as a safety net,
/// and changed by each message of <see cref="RedisKeys.PauseChanges"/> as it arrives (before any
/// message published after it, such as a submit's) and by this process's own pauses at once.
/// Until the first read succeeds every circle counts as paused. The copy is not what keeps a
/// paused circle's tasks waiting (the scripts read the circle's own flag for that,
/// <see cref="RedisKeys.PausedFlag"/>); it spares the process claims that would find nothing and
/// tells it when to claim again. An idle worker pays one command a minute for it.
/// </summary>
public sealed partial class PausedCircles : BackgroundService
{
    private readonly IConnectionMultiplexer _redis;
    private readonly CirclePauses _store;
    private readonly TimeProvider _time;
    private readonly ILogger<PausedCircles> _log;
    private readonly Lock _gate = new();
    private readonly Channel<bool> _readNow = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private volatile IReadOnlySet<string>? _paused;
    private readonly ConcurrentDictionary<string, bool> _seen = new(StringComparer.Ordinal);

    /// <summary>How often the whole set is read when nothing else asks for it.</summary>
    private static readonly TimeSpan ReadEvery = TimeSpan.FromMinutes(1);

    /// <summary>Changes applied since start: a whole read that saw fewer is older than what it would replace.</summary>
    private long _changes;

    public PausedCircles(IConnectionMultiplexer redis, CirclePauses store, TimeProvider time, ILogger<PausedCircles> log)
    {
        _redis = redis;
        _store = store;
        _time = time;
        _log = log;
        store.Changed += Apply;
        // Once seen paused, a circle stays in the gauge (0 when resumed): an exporter keeps a series' last value.
        GatewayMetrics.ObservePaused(() => _seen.Keys.Select(c => (c, _paused?.Contains(c) == true)));
        redis.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
                _readNow.Writer.TryWrite(true);
        };
    }

    /// <summary>A circle that may be claimed from again (or "" once the set was first read: every circle).</summary>
    public event Action<string>? Resumed;

    /// <summary>True while <paramref name="circle"/> is paused, or while the set has not been read yet.</summary>
    public bool Contains(string circle) => _paused is not { } paused || (paused.Count > 0 && paused.Contains(circle));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var subscribed = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!subscribed)
                {
                    // Applied on the subscription's thread, in the order the messages were published.
                    await _redis.GetSubscriber().SubscribeAsync(RedisKeys.PauseChanges, (_, message) =>
                    {
                        if (CirclePauses.TryReadMessage(message, out var circle, out var paused))
                            Apply(circle, paused);
                    });
                    subscribed = true;
                }
                _readNow.Reader.TryRead(out _); // this read covers every reason to read so far
                await ReadAsync();
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                wait.CancelAfter(ReadEvery);
                await _readNow.Reader.WaitToReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                // A minute passed: read the set again.
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                LogUnavailable(_log, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Reads the whole set; a read that a told change overtook is made again.</summary>
    private async Task ReadAsync()
    {
        while (true)
        {
            var seen = Interlocked.Read(ref _changes);
            var now = await _store.GetAllAsync();
            string[] resumed;
            lock (_gate)
            {
                if (_changes != seen)
                    continue;
                var before = _paused;
                _paused = now;
                foreach (var circle in now)
                    _seen.TryAdd(circle, true);
                resumed = before is null ? [""] : before.Where(c => !now.Contains(c)).ToArray();
            }
            foreach (var circle in resumed)
                Resumed?.Invoke(circle);
            return;
        }
    }

    private void Apply(string circle, bool paused)
    {
        lock (_gate)
        {
            _changes++;
            if (_paused is not { } before)
                return; // the first read, still to come, will see it
            if (paused != before.Contains(circle))
            {
                var after = new HashSet<string>(before, StringComparer.Ordinal);
                if (paused)
                {
                    after.Add(circle);
                    _seen.TryAdd(circle, true);
                }
                else
                    after.Remove(circle);
                _paused = after;
            }
        }
        // Even when this copy never counted the circle paused: the scripts, which read the pause
        // itself, may have refused its claims before the message arrived.
        if (!paused)
            Resumed?.Invoke(circle);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the paused circles; trying again in a second")]
    private static partial void LogUnavailable(ILogger logger, Exception exception);
}
