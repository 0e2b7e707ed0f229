--[[
  Take back tasks whose lease ran out (their worker died): back to the front of their priority's
  lane for another attempt, failed with `lost` after the last one, or cancelled when a cancel was
  asked for. Runs that ended in a scheduled retry do not count against the lost limit; a task
  failed as lost joins the circle's index of failures. Also trims the circle's index of tasks
  created, and its index of failures of tasks failed, longer ago than the retention (ReapScript.cs).

  KEYS[1] processing   KEYS[2] index   KEYS[3] failed   KEYS[4..13] the queue lanes of priorities 0..9

  ARGV[1] task hash prefix   ARGV[2] events channel   ARGV[3] now (ms)
  ARGV[4] max attempts       ARGV[5] retention (ms)   ARGV[6] the `lost` error JSON
  ARGV[7] most to take       ARGV[8] 1 to trim the indexes too (the reaper does it once a minute)

  Returns { requeued, lost, tasks waiting now in all lanes, cancelled }.
]]
local prefix, channel, now, max, retention = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[7]))
local requeued, lost, cancelled = 0, 0, 0
for _, id in ipairs(ids) do
  local key = prefix .. id
  redis.call('ZREM', KEYS[1], id)
  if redis.call('HGET', key, 'status') == 'processing' then
    redis.call('HDEL', key, 'lease')
    local f = redis.call('HMGET', key, 'cancel', 'attempts', 'retried', 'priority')
    if f[1] then
      redis.call('HSET', key, 'status', 'cancelled', 'finished', now)
      redis.call('PEXPIRE', key, retention)
      redis.call('PUBLISH', channel, id .. ' cancelled')
      cancelled = cancelled + 1
    elseif tonumber(f[2] or '0') - tonumber(f[3] or '0') >= max then
      redis.call('HSET', key, 'status', 'failed', 'error', ARGV[6], 'finished', now)
      redis.call('PEXPIRE', key, retention)
      redis.call('ZADD', KEYS[3], now, id)
      redis.call('PUBLISH', channel, id .. ' failed')
      lost = lost + 1
    else
      local priority = tonumber(f[4] or '0')
      if priority < 0 or priority > 9 then priority = 0 end
      redis.call('HSET', key, 'status', 'pending')
      redis.call('RPUSH', KEYS[4 + priority], id)
      redis.call('PUBLISH', channel, id .. ' pending')
      requeued = requeued + 1
    end
  end
end
if ARGV[8] == '1' then
  local past = tonumber(now) - tonumber(retention)
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', past)
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', past)
end
local waiting = 0
waiting = waiting + redis.call('LLEN', KEYS[4])
-- The lanes above priority 0 are usually empty: one EXISTS instead of nine LLENs then.
if redis.call('EXISTS', unpack(KEYS, 5, 13)) > 0 then
  for lane = 1, 9 do waiting = waiting + redis.call('LLEN', KEYS[4 + lane]) end
end
return { requeued, lost, waiting, cancelled }
