--[[
  Claim up to N pending tasks of one circle for a worker (ClaimScript.cs): from the highest
  priority's lane first, FIFO within a lane. At most ten pops whatever N is, so a claim costs
  O(1) per task claimed.

  KEYS[1] processing   KEYS[2..11] the queue lanes of priorities 0..9

  ARGV[1] task hash prefix   ARGV[2] events channel   ARGV[3] now (ms)
  ARGV[4] lease (ms)         ARGV[5] worker id        ARGV[6] N
  ARGV[7] lease-token stem

  Ids whose task is no longer pending (cancelled while queued, or expired) are dropped.
  Returns, per claimed task, { id, script, args, timeout, attempt, caller, created, lease token,
  traceparent, priority, retryOf, language, script name, script version, schedule name } (the order
  ClaimScript.cs reads).
]]
local prefix, channel, now, lease, worker = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local want = tonumber(ARGV[6])
local ids = {}
-- Most claims are idle polls: one EXISTS tells whether any lane above priority 0 holds work, so
-- an empty circle costs two commands, not ten.
local top = 0
if redis.call('EXISTS', unpack(KEYS, 3, 11)) > 0 then top = 9 end
for lane = top, 0, -1 do
  if #ids >= want then break end
  local popped = redis.call('RPOP', KEYS[2 + lane], want - #ids)
  if popped then
    if type(popped) == 'string' then popped = { popped } end -- Garnet answers RPOP key 1 with the element, not a list
    for _, id in ipairs(popped) do ids[#ids + 1] = id end
  end
end
local out, leased = {}, {}
for _, id in ipairs(ids) do
  local key = prefix .. id
  local f = redis.call('HMGET', key, 'status', 'attempts', 'script', 'args', 'timeout', 'caller', 'created', 'traceparent', 'priority', 'retryOf', 'language',
    'scriptName', 'scriptVersion', 'scheduleName')
  if f[1] == 'pending' then
    local token = ARGV[7] .. '.' .. (#out + 1)
    local attempt = tonumber(f[2] or '0') + 1
    redis.call('HSET', key, 'status', 'processing', 'attempts', attempt, 'lease', token, 'worker', worker, 'started', now)
    redis.call('PUBLISH', channel, id .. ' processing')
    leased[#leased + 1] = now + lease
    leased[#leased + 1] = id
    out[#out + 1] = { id, f[3], f[4], f[5], attempt, f[6], f[7], token, f[8] or '', f[9] or '0', f[10] or '', f[11] or '',
      f[12] or '', f[13] or '', f[14] or '' }
  end
end
if #leased > 0 then redis.call('ZADD', KEYS[1], unpack(leased)) end
return out
