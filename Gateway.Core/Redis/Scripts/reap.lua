--[[
  Take back tasks whose lease ran out (their worker died): back to the front of the queue for
  another attempt, failed with `lost` after the last one, or cancelled when a cancel was asked
  for. Also trims the circle's index of tasks past retention (ReapScript.cs).

  KEYS[1] processing   KEYS[2] queue   KEYS[3] index

  ARGV[1] task hash prefix   ARGV[2] events channel   ARGV[3] now (ms)
  ARGV[4] max attempts       ARGV[5] retention (ms)   ARGV[6] the `lost` error JSON
  ARGV[7] most to take

  Returns { requeued, lost, tasks waiting now }.
]]
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
