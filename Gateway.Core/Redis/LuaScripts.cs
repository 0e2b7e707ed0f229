namespace Gateway.Core.Redis;

/// <summary>
/// Every state transition of a task is one of these scripts: atomic and one round trip.
/// Keys a script builds from an id (a task's hash) share the circle's hash tag with the
/// declared keys, so they are in the same cluster slot.
/// </summary>
internal static class LuaScripts
{
    /// <summary>
    /// Submit N tasks. KEYS: queue, index. ARGV: task prefix, events channel, created (ms),
    /// circle, then 5 per task: id, script, args, timeout (ms), caller.
    /// </summary>
    public const string Submit = """
        local prefix, channel, created, circle = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
        for i = 5, #ARGV, 5 do
          local id = ARGV[i]
          redis.call('HSET', prefix .. id, 'id', id, 'circle', circle, 'script', ARGV[i + 1],
            'args', ARGV[i + 2], 'timeout', ARGV[i + 3], 'caller', ARGV[i + 4],
            'created', created, 'status', 'pending', 'attempts', 0)
          redis.call('LPUSH', KEYS[1], id)
          redis.call('ZADD', KEYS[2], created, id)
          redis.call('PUBLISH', channel, id .. ' pending')
        end
        return 1
        """;

    /// <summary>
    /// Claim up to N pending tasks. KEYS: queue, processing. ARGV: task prefix, events channel,
    /// now (ms), lease (ms), worker id, N, lease-token stem. Ids whose task is no longer pending
    /// (cancelled while queued, or expired) are dropped. Returns, per task: id, script, args,
    /// timeout, attempt, caller, created, lease token.
    /// </summary>
    public const string Claim = """
        local prefix, channel, now, lease, worker = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
        local want, stem = tonumber(ARGV[6]), ARGV[7]
        local out = {}
        while #out < want do
          local id = redis.call('RPOP', KEYS[1])
          if not id then break end
          local key = prefix .. id
          if redis.call('HGET', key, 'status') == 'pending' then
            local token = stem .. '.' .. (#out + 1)
            local attempt = redis.call('HINCRBY', key, 'attempts', 1)
            redis.call('HSET', key, 'status', 'processing', 'lease', token, 'worker', worker, 'started', now)
            redis.call('ZADD', KEYS[2], now + lease, id)
            redis.call('PUBLISH', channel, id .. ' processing')
            local f = redis.call('HMGET', key, 'script', 'args', 'timeout', 'caller', 'created')
            out[#out + 1] = { id, f[1], f[2], f[3], attempt, f[4], f[5], token }
          end
        end
        return out
        """;

    /// <summary>
    /// Complete a claimed task, fenced by its lease token: a worker whose lease was taken over
    /// writes nothing. KEYS: task, processing, index. ARGV: id, token, status, result, error,
    /// output, finished (ms), duration (ms), retention (ms), events channel.
    /// Returns 1 when written, 0 when fenced off.
    /// </summary>
    public const string Complete = """
        if redis.call('HGET', KEYS[1], 'lease') ~= ARGV[2] then return 0 end
        redis.call('HSET', KEYS[1], 'status', ARGV[3], 'result', ARGV[4], 'error', ARGV[5],
          'output', ARGV[6], 'finished', ARGV[7], 'duration', ARGV[8])
        redis.call('HDEL', KEYS[1], 'lease')
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[9])
        redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', tonumber(ARGV[7]) - tonumber(ARGV[9]))
        redis.call('PUBLISH', ARGV[10], ARGV[1] .. ' ' .. ARGV[3])
        return 1
        """;

    /// <summary>Every script of the protocol, by name, for the start-up self-test.</summary>
    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>
    {
        [nameof(Submit)] = Submit,
        [nameof(Claim)] = Claim,
        [nameof(Complete)] = Complete,
    };
}
