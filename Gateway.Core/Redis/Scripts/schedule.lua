--[[
  Create or replace a schedule (ScheduleScript.cs). The caller computed the next due time from
  the last due time it read; if a firing handled a due time since (lastDue moved), nothing is
  written and the caller computes again, so a put never brings back a due time already handled.

  KEYS[1] the schedule's hash (ScheduleHash.cs)   KEYS[2] the circle's schedules: zset name -> next due (ms)

  ARGV[1] name   ARGV[2] the lastDue the caller read ("" for none)   ARGV[3] next due (ms; "" for none)
  ARGV[4] now (ms)   ARGV[5] schedule-changes channel   ARGV[6] circle
  then the definition's field/value pairs (ScheduleHash.DefinitionPairs)

  Publishes the circle's name on the schedule-changes channel, so that sleeping firers look again.

  Returns 1 when the schedule is new, 0 when it replaced one, -1 when lastDue moved (nothing written).
]]
if (redis.call('HGET', KEYS[1], 'lastDue') or '') ~= ARGV[2] then return -1 end
local created = redis.call('HSETNX', KEYS[1], 'created', ARGV[4])
redis.call('HSET', KEYS[1], 'updated', ARGV[4], 'next', ARGV[3], unpack(ARGV, 7))
redis.call('HINCRBY', KEYS[1], 'rev', 1)
if ARGV[3] == '' then
  redis.call('ZADD', KEYS[2], '+inf', ARGV[1])
else
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
end
redis.call('PUBLISH', ARGV[5], ARGV[6])
return created
