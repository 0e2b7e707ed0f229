--[[
  Give a claimed task back unrun, at the front of its priority's lane and without counting the
  attempt (its worker is shutting down), fenced by the lease token; a task whose cancel was asked
  for is cancelled instead (RequeueScript.cs).

  KEYS[1] the task's hash   KEYS[2] processing   KEYS[3..12] the queue lanes of priorities 0..9
  ARGV[1] id   ARGV[2] lease token   ARGV[3] events channel   ARGV[4] now (ms)   ARGV[5] retention (ms)

  Returns 1 when given back or cancelled, 0 when fenced off.
]]
if redis.call('HGET', KEYS[1], 'lease') ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], 'lease', 'worker', 'started')
if redis.call('HGET', KEYS[1], 'cancel') then
  redis.call('HSET', KEYS[1], 'status', 'cancelled', 'finished', ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  redis.call('PUBLISH', ARGV[3], ARGV[1] .. ' cancelled')
  return 1
end
local priority = tonumber(redis.call('HGET', KEYS[1], 'priority') or '0')
if priority < 0 or priority > 9 then priority = 0 end
redis.call('HSET', KEYS[1], 'status', 'pending')
redis.call('HINCRBY', KEYS[1], 'attempts', -1)
redis.call('RPUSH', KEYS[3 + priority], ARGV[1])
redis.call('PUBLISH', ARGV[3], ARGV[1] .. ' pending')
return 1
