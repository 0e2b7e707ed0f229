--[[
  Make the scheduled tasks of a circle that are due pending: each leaves the scheduled set and
  joins the back of its priority's lane, with the "id pending" message that wakes the workers
  (PromoteScript.cs). Every worker process's promoter may run this at the same moment: the
  script is atomic and a task leaves the set as it moves, so none moves twice. An id whose task
  is no longer scheduled (cancelled, or expired) is only dropped from the set.

  KEYS[1] scheduled   KEYS[2..11] the queue lanes of priorities 0..9

  ARGV[1] task hash prefix   ARGV[2] events channel   ARGV[3] now (ms)   ARGV[4] most to move

  Returns { moved, the next due time (ms) or -1 when none is left, tasks still scheduled,
  the earliest due time (ms) among those moved or -1 }.
]]
local prefix, channel = ARGV[1], ARGV[2]
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[3], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[4]))
local moved, earliest = 0, -1
for i = 1, #due, 2 do
  local id = due[i]
  redis.call('ZREM', KEYS[1], id)
  local key = prefix .. id
  local f = redis.call('HMGET', key, 'status', 'priority')
  if f[1] == 'scheduled' then
    local priority = tonumber(f[2] or '0')
    if priority < 0 or priority > 9 then priority = 0 end
    redis.call('HSET', key, 'status', 'pending')
    redis.call('HDEL', key, 'runAt')
    redis.call('LPUSH', KEYS[2 + priority], id)
    redis.call('PUBLISH', channel, id .. ' pending')
    moved = moved + 1
    if earliest < 0 then earliest = tonumber(due[i + 1]) end
  end
end
local next = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local following = -1
if #next > 0 then following = tonumber(next[2]) end
return { moved, following, redis.call('ZCARD', KEYS[1]), earliest }
