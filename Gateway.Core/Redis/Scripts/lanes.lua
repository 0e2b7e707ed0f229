--[[
  Shared by submit.lua and fire.lua, which LuaScript.Load puts this text in front of: how a
  circle's waiting tasks are counted against its quota, and which lane a new task joins. Both
  scripts declare the same run of keys, built by RedisKeys.Waiting: the scheduled set at KEYS[at],
  then the queue lanes of priorities 0..9 at KEYS[at + 1] .. KEYS[at + 10].
]]

-- The tasks waiting in the circle: { scheduled and queued together, queued in any lane, whether
-- the key flag exists (false when none is given) }. Most circles use one lane and no flag: one
-- EXISTS tells whether lanes 1..9 or the flag hold anything before each is asked on its own
-- (three commands per submit instead of eleven).
local function waiting_tasks(at, flag)
  local queued, flagged = redis.call('LLEN', KEYS[at + 1]), false
  local probe = { unpack(KEYS, at + 2, at + 10) }
  if flag then probe[#probe + 1] = flag end
  if redis.call('EXISTS', unpack(probe)) > 0 then
    for lane = 1, 9 do queued = queued + redis.call('LLEN', KEYS[at + 1 + lane]) end
    flagged = flag ~= nil and redis.call('EXISTS', flag) == 1
  end
  return redis.call('ZCARD', KEYS[at]) + queued, queued, flagged
end

-- A priority as read (a number or its text) as a lane number: anything outside 0..9 waits at 0.
local function lane_of(priority)
  priority = tonumber(priority) or 0
  if priority < 0 or priority > 9 or priority % 1 ~= 0 then return 0 end
  return priority
end

-- The key of the lane a task of this priority joins.
local function lane_key(at, priority)
  return KEYS[at + 1 + lane_of(priority)]
end
