--[[
  Complete a claimed task, fenced by its lease token: a worker whose lease was taken over
  writes nothing (CompleteScript.cs). The circle's index is trimmed by the reaper, not here.

  KEYS[1] the task's hash    KEYS[2] processing

  ARGV[1] id        ARGV[2] lease token   ARGV[3] status     ARGV[4] result JSON
  ARGV[5] error     ARGV[6] output        ARGV[7] finished (ms)
  ARGV[8] duration (ms)     ARGV[9] retention (ms)
  ARGV[10] events channel   ARGV[11] the message to publish (TaskEventMessage.cs)

  Returns 1 when written, 0 when fenced off.
]]
if redis.call('HGET', KEYS[1], 'lease') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'result', ARGV[4], 'error', ARGV[5],
  'output', ARGV[6], 'finished', ARGV[7], 'duration', ARGV[8], 'lease', '')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[9])
redis.call('PUBLISH', ARGV[10], ARGV[11])
return 1
