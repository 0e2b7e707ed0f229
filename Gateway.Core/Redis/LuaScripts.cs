namespace Gateway.Core.Redis;

/// <summary>
/// Every state transition of a task is one of these scripts: atomic and one round trip.
/// Keys a script builds from an id (a task's hash) share the circle's hash tag with the
/// declared keys, so they are in the same cluster slot.
/// </summary>
internal static class LuaScripts
{
    /// <summary>
    /// Submit N tasks. KEYS: queue, index, processing, and optionally an idempotency key. ARGV:
    /// task prefix, events channel, created (ms), circle, idempotency record, its time to live (ms),
    /// most tasks the queue may hold, how many of the tasks the submitting process's worker may
    /// claim at once, that worker's id, the lease deadline (ms), a lease-token stem; then 6 per
    /// task: id, script, args, timeout (ms), caller, traceparent.
    ///
    /// When the queue is empty, the first of the tasks go straight to the submitting process's
    /// free worker slots: stored processing, leased, never queued; nobody can be watching a task
    /// that did not exist, so that takes no message. The rest are queued, each with a message
    /// that wakes the workers (one per task, so a worker that missed one still hears the next).
    ///
    /// Returns "" when queued, "=N" when the first N were claimed so (the rest queued), "!quota"
    /// (and submits nothing) when the queue would hold too many, or the record an earlier submit
    /// with the same idempotency key left (and submits nothing).
    /// </summary>
    public const string Submit = """
        local prefix, channel, created, circle = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
        if KEYS[4] then
          local seen = redis.call('GET', KEYS[4])
          if seen then return seen end
        end
        local direct = tonumber(ARGV[8])
        if direct > 0 and redis.call('LLEN', KEYS[1]) > 0 then direct = 0 end
        local scored, leased, queued, claimed = {}, {}, {}, 0
        for i = 12, #ARGV, 6 do
          local id = ARGV[i]
          scored[#scored + 1] = created
          scored[#scored + 1] = id
          if claimed < direct then
            claimed = claimed + 1
            leased[#leased + 1] = ARGV[10]
            leased[#leased + 1] = id
          else
            queued[#queued + 1] = id
          end
        end
        if #queued > 0 and redis.call('LPUSH', KEYS[1], unpack(queued)) > tonumber(ARGV[7]) then
          redis.call('LPOP', KEYS[1], #queued)
          return '!quota'
        end
        if KEYS[4] then redis.call('SET', KEYS[4], ARGV[5], 'PX', ARGV[6]) end
        local n = 0
        for i = 12, #ARGV, 6 do
          local id = ARGV[i]
          n = n + 1
          if n <= claimed then
            redis.call('HSET', prefix .. id, 'id', id, 'circle', circle, 'script', ARGV[i + 1],
              'args', ARGV[i + 2], 'timeout', ARGV[i + 3], 'caller', ARGV[i + 4], 'traceparent', ARGV[i + 5],
              'created', created, 'status', 'processing', 'attempts', 1, 'lease', ARGV[11] .. '.' .. n,
              'worker', ARGV[9], 'started', created)
          else
            redis.call('HSET', prefix .. id, 'id', id, 'circle', circle, 'script', ARGV[i + 1],
              'args', ARGV[i + 2], 'timeout', ARGV[i + 3], 'caller', ARGV[i + 4], 'traceparent', ARGV[i + 5],
              'created', created, 'status', 'pending', 'attempts', 0)
          end
        end
        redis.call('ZADD', KEYS[2], unpack(scored))
        if claimed > 0 then redis.call('ZADD', KEYS[3], unpack(leased)) end
        for _, id in ipairs(queued) do redis.call('PUBLISH', channel, id .. ' pending') end
        if claimed > 0 then return '=' .. claimed end
        return ''
        """;

    /// <summary>
    /// Claim up to N pending tasks. KEYS: queue, processing. ARGV: task prefix, events channel,
    /// now (ms), lease (ms), worker id, N, lease-token stem. Ids whose task is no longer pending
    /// (cancelled while queued, or expired) are dropped. Returns, per task: id, script, args,
    /// timeout, attempt, caller, created, lease token, traceparent.
    /// </summary>
    public const string Claim = """
        local prefix, channel, now, lease, worker = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
        local ids = redis.call('RPOP', KEYS[1], tonumber(ARGV[6]))
        if not ids then return {} end
        if type(ids) == 'string' then ids = { ids } end -- Garnet answers RPOP key 1 with the element, not a list
        local out, leased = {}, {}
        for _, id in ipairs(ids) do
          local key = prefix .. id
          local f = redis.call('HMGET', key, 'status', 'attempts', 'script', 'args', 'timeout', 'caller', 'created', 'traceparent')
          if f[1] == 'pending' then
            local token = ARGV[7] .. '.' .. (#out + 1)
            local attempt = tonumber(f[2] or '0') + 1
            redis.call('HSET', key, 'status', 'processing', 'attempts', attempt, 'lease', token, 'worker', worker, 'started', now)
            redis.call('PUBLISH', channel, id .. ' processing')
            leased[#leased + 1] = now + lease
            leased[#leased + 1] = id
            out[#out + 1] = { id, f[3], f[4], f[5], attempt, f[6], f[7], token, f[8] or '' }
          end
        end
        if #leased > 0 then redis.call('ZADD', KEYS[2], unpack(leased)) end
        return out
        """;

    /// <summary>
    /// Complete a claimed task, fenced by its lease token: a worker whose lease was taken over
    /// writes nothing. KEYS: task, processing. ARGV: id, token, status, result, error, output,
    /// finished (ms), duration (ms), retention (ms), events channel, the message to publish.
    /// Returns 1 when written, 0 when fenced off. (The circle's index is trimmed by the reaper.)
    /// </summary>
    public const string Complete = """
        if redis.call('HGET', KEYS[1], 'lease') ~= ARGV[2] then return 0 end
        redis.call('HSET', KEYS[1], 'status', ARGV[3], 'result', ARGV[4], 'error', ARGV[5],
          'output', ARGV[6], 'finished', ARGV[7], 'duration', ARGV[8], 'lease', '')
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[9])
        redis.call('PUBLISH', ARGV[10], ARGV[11])
        return 1
        """;

    /// <summary>
    /// Extend a running task's lease, fenced by its token. KEYS: task, processing. ARGV: id,
    /// token, new deadline (ms). Returns -1 when the lease is no longer this worker's, 1 when a
    /// cancel has been asked for, else 0.
    /// </summary>
    public const string Renew = """
        if redis.call('HGET', KEYS[1], 'lease') ~= ARGV[2] then return -1 end
        redis.call('ZADD', KEYS[2], 'XX', ARGV[3], ARGV[1])
        if redis.call('HGET', KEYS[1], 'cancel') then return 1 end
        return 0
        """;

    /// <summary>
    /// Take back tasks whose lease ran out (their worker died): back to the front of the queue
    /// for another attempt, or failed with <c>lost</c> after the last one, or cancelled when a
    /// cancel was asked for. KEYS: processing, queue, index. ARGV: task prefix, events channel,
    /// now (ms), max attempts, retention (ms), the lost error JSON, most to take.
    /// Returns { requeued, lost, tasks waiting now }.
    /// </summary>
    public const string Reap = """
        local prefix, channel, now, max, retention = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
        local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[7]))
        local requeued, lost = 0, 0
        for _, id in ipairs(ids) do
          local key = prefix .. id
          redis.call('ZREM', KEYS[1], id)
          if redis.call('HGET', key, 'status') == 'processing' then
            redis.call('HDEL', key, 'lease')
            if redis.call('HGET', key, 'cancel') then
              redis.call('HSET', key, 'status', 'cancelled', 'finished', now)
              redis.call('PEXPIRE', key, retention)
              redis.call('PUBLISH', channel, id .. ' cancelled')
            elseif tonumber(redis.call('HGET', key, 'attempts') or '0') >= max then
              redis.call('HSET', key, 'status', 'failed', 'error', ARGV[6], 'finished', now)
              redis.call('PEXPIRE', key, retention)
              redis.call('PUBLISH', channel, id .. ' failed')
              lost = lost + 1
            else
              redis.call('HSET', key, 'status', 'pending')
              redis.call('RPUSH', KEYS[2], id)
              redis.call('PUBLISH', channel, id .. ' pending')
              requeued = requeued + 1
            end
          end
        end
        redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', tonumber(now) - tonumber(retention))
        return { requeued, lost, redis.call('LLEN', KEYS[2]) }
        """;

    /// <summary>
    /// Give a claimed task back unrun, at the front of its queue and without counting the
    /// attempt (its worker is shutting down), fenced by the lease token; a task whose cancel was
    /// asked for is cancelled instead. KEYS: task, processing, queue. ARGV: id, token, events
    /// channel, now (ms), retention (ms). Returns 1 when given back or cancelled, 0 when fenced off.
    /// </summary>
    public const string Requeue = """
        if redis.call('HGET', KEYS[1], 'lease') ~= ARGV[2] then return 0 end
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('HDEL', KEYS[1], 'lease', 'worker', 'started')
        if redis.call('HGET', KEYS[1], 'cancel') then
          redis.call('HSET', KEYS[1], 'status', 'cancelled', 'finished', ARGV[4])
          redis.call('PEXPIRE', KEYS[1], ARGV[5])
          redis.call('PUBLISH', ARGV[3], ARGV[1] .. ' cancelled')
          return 1
        end
        redis.call('HSET', KEYS[1], 'status', 'pending')
        redis.call('HINCRBY', KEYS[1], 'attempts', -1)
        redis.call('RPUSH', KEYS[3], ARGV[1])
        redis.call('PUBLISH', ARGV[3], ARGV[1] .. ' pending')
        return 1
        """;

    /// <summary>
    /// Cancel a task. A pending one leaves its queue and is cancelled at once; a running one is
    /// marked and its worker told (the <c>cancel</c> message), and it ends cancelled when the
    /// worker has stopped it. KEYS: task, queue. ARGV: id, events channel, now (ms), retention (ms).
    /// Returns "cancelled", "cancelling", "missing", or the terminal status it already had.
    /// </summary>
    public const string Cancel = """
        local status = redis.call('HGET', KEYS[1], 'status')
        if not status then return 'missing' end
        if status == 'pending' then
          redis.call('LREM', KEYS[2], 1, ARGV[1])
          redis.call('HSET', KEYS[1], 'status', 'cancelled', 'finished', ARGV[3])
          redis.call('PEXPIRE', KEYS[1], ARGV[4])
          redis.call('PUBLISH', ARGV[2], ARGV[1] .. ' cancelled')
          return 'cancelled'
        end
        if status == 'processing' then
          redis.call('HSET', KEYS[1], 'cancel', ARGV[3])
          redis.call('PUBLISH', ARGV[2], ARGV[1] .. ' cancel')
          return 'cancelling'
        end
        return status
        """;

    /// <summary>Every script of the protocol, by name, for the start-up self-test.</summary>
    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>
    {
        [nameof(Submit)] = Submit,
        [nameof(Claim)] = Claim,
        [nameof(Complete)] = Complete,
        [nameof(Renew)] = Renew,
        [nameof(Reap)] = Reap,
        [nameof(Requeue)] = Requeue,
        [nameof(Cancel)] = Cancel,
    };
}
