--[[
  Claim up to N pending tasks of one circle for a worker (ClaimScript.cs).

  KEYS[1] queue        KEYS[2] processing

  ARGV[1] task hash prefix   ARGV[2] events channel   ARGV[3] now (ms)
  ARGV[4] lease (ms)         ARGV[5] worker id        ARGV[6] N
  ARGV[7] lease-token stem

  Ids whose task is no longer pending (cancelled while queued, or expired) are dropped.
  Returns, per claimed task, { id, script, args, timeout, attempt, caller, created, lease token,
  traceparent, script name, script version, schedule name } (the order ClaimScript.cs reads).
]]
local prefix, channel, now, lease, worker = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local ids = redis.call('RPOP', KEYS[1], tonumber(ARGV[6]))
if not ids then return {} end
if type(ids) == 'string' then ids = { ids } end -- Garnet answers RPOP key 1 with the element, not a list
local out, leased = {}, {}
for _, id in ipairs(ids) do
  local key = prefix .. id
  local f = redis.call('HMGET', key, 'status', 'attempts', 'script', 'args', 'timeout', 'caller', 'created', 'traceparent',
    'scriptName', 'scriptVersion', 'scheduleName')
  if f[1] == 'pending' then
    local token = ARGV[7] .. '.' .. (#out + 1)
    local attempt = tonumber(f[2] or '0') + 1
    redis.call('HSET', key, 'status', 'processing', 'attempts', attempt, 'lease', token, 'worker', worker, 'started', now)
    redis.call('PUBLISH', channel, id .. ' processing')
    leased[#leased + 1] = now + lease
    leased[#leased + 1] = id
    out[#out + 1] = { id, f[3], f[4], f[5], attempt, f[6], f[7], token, f[8] or '', f[9] or '', f[10] or '', f[11] or '' }
  end
end
if #leased > 0 then redis.call('ZADD', KEYS[2], unpack(leased)) end
return out
