--[[
  Cancel a task (CancelScript.cs). A pending one leaves its queue and is cancelled at once; a
  running one is marked and its worker told (the `cancel` message of TaskEventMessage.cs), and
  it ends cancelled when the worker has stopped it.

  KEYS[1] the task's hash   KEYS[2] queue
  ARGV[1] id   ARGV[2] events channel   ARGV[3] now (ms)   ARGV[4] retention (ms)

  Returns "cancelled", "cancelling", "missing", or the finished status it already had.
]]
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
