--[[
  Cancel a task (CancelScript.cs). A scheduled one leaves the scheduled set, a pending one its
  lane, and either is cancelled at once, so it never runs; a running one is marked and its
  worker told (the `cancel` message of TaskEventMessage.cs), and it ends cancelled when the
  worker has stopped it.

  KEYS[1] the task's hash   KEYS[2] scheduled   KEYS[3..12] the queue lanes of priorities 0..9
  ARGV[1] id   ARGV[2] events channel   ARGV[3] now (ms)   ARGV[4] retention (ms)

  Returns "cancelled", "cancelling", "missing", or "finished" for a task that had already ended
  (cancelled included: a second cancel is not a cancel, nor counted as one).
]]
local f = redis.call('HMGET', KEYS[1], 'status', 'priority')
local status = f[1]
if not status then return 'missing' end
if status == 'pending' or status == 'scheduled' then
  if status == 'scheduled' then
    redis.call('ZREM', KEYS[2], ARGV[1])
    redis.call('HDEL', KEYS[1], 'runAt')
  else
    local priority = tonumber(f[2] or '0')
    if priority < 0 or priority > 9 then priority = 0 end
    redis.call('LREM', KEYS[3 + priority], 1, ARGV[1])
  end
  -- A task waiting for its retry keeps the error of the run before; a cancelled one has none.
  redis.call('HDEL', KEYS[1], 'error')
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
return 'finished'
