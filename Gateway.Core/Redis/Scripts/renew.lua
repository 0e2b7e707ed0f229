--[[
  Extend a running task's lease, fenced by its token (RenewScript.cs).

  KEYS[1] the task's hash    KEYS[2] processing
  ARGV[1] id                 ARGV[2] lease token    ARGV[3] new deadline (ms)

  Returns -1 when the lease is no longer this worker's, 1 when a cancel has been asked for,
  else 0 (LeaseState).
]]
if redis.call('HGET', KEYS[1], 'lease') ~= ARGV[2] then return -1 end
redis.call('ZADD', KEYS[2], 'XX', ARGV[3], ARGV[1])
if redis.call('HGET', KEYS[1], 'cancel') then return 1 end
return 0
