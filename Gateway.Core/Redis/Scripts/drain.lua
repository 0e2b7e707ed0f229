--[[
  Cancel up to N waiting tasks of one circle at once (DrainScript.cs): those queued in any lane,
  highest priority first, and when asked the scheduled ones too (delayed submits, retries waiting
  out their backoff), earliest due first. Running tasks are left alone. Each is cancelled as
  cancel.lua cancels a waiting task: status, finished time, no error, retention, and its "id cancelled"
  message (TaskEventMessage.cs). Ids whose task is no longer waiting (cancelled, or expired) are
  dropped from the lane, as a claim drops them.

  KEYS[1] scheduled   KEYS[2..11] the queue lanes of priorities 0..9

  ARGV[1] task hash prefix   ARGV[2] events channel   ARGV[3] now (ms)
  ARGV[4] retention (ms)     ARGV[5] 1: the scheduled tasks too, else 0
  ARGV[6] N: the most ids to take in this run

  Returns { cancelled, taken, left }: taken ids (cancelled or dropped), and how many still wait
  in the lanes (and the scheduled set, when asked) after this run.
]]
local prefix, channel, now, retention = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local scheduled, most = ARGV[5] == '1', tonumber(ARGV[6])
local taken, cancelled = 0, 0

local function cancel(id, was)
  local key = prefix .. id
  if redis.call('HGET', key, 'status') ~= was then return end
  if was == 'scheduled' then redis.call('HDEL', key, 'runAt') end
  redis.call('HDEL', key, 'error') -- a retry's wait keeps the error of the run before; see cancel.lua
  redis.call('HSET', key, 'status', 'cancelled', 'finished', now)
  redis.call('PEXPIRE', key, retention)
  redis.call('PUBLISH', channel, id .. ' cancelled')
  cancelled = cancelled + 1
end

for lane = 11, 2, -1 do
  if taken >= most then break end
  local ids = redis.call('RPOP', KEYS[lane], most - taken)
  if ids then
    if type(ids) == 'string' then ids = { ids } end -- Garnet answers RPOP key 1 with the element, not a list
    for _, id in ipairs(ids) do cancel(id, 'pending') end
    taken = taken + #ids
  end
end
if scheduled and taken < most then
  local due = redis.call('ZRANGE', KEYS[1], 0, most - taken - 1)
  if #due > 0 then
    redis.call('ZREM', KEYS[1], unpack(due))
    for _, id in ipairs(due) do cancel(id, 'scheduled') end
    taken = taken + #due
  end
end

local left = 0
for lane = 2, 11 do left = left + redis.call('LLEN', KEYS[lane]) end
if scheduled then left = left + redis.call('ZCARD', KEYS[1]) end
return { cancelled, taken, left }
