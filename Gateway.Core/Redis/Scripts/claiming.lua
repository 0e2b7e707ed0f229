--[[
  Shared by claim.lua and complete.lua, which LuaScript.Load puts this text in front of: how a
  worker takes pending tasks of one circle. From the highest priority's lane first, FIFO within a
  lane, at most ten pops whatever the number asked, so a claim costs O(1) per task claimed. Ids
  whose task is no longer pending (cancelled while queued, or expired) are dropped. A paused
  circle (its flag, RedisKeys.PausedFlag, exists) gives nothing, whatever the caller has heard.

  A claim sent again because its answer was lost (a timeout, a dropped connection) names the
  attempts sent before it, each by the time it was sent and its lease-token stem: what an earlier
  attempt that did run leased is taken back first, and only the rest of the slots are claimed
  anew. Those tasks are found without a record of the call: each is in processing at exactly the
  deadline that attempt set (nobody renews a lease whose holder never heard of it), with a token
  of that attempt's stem. A task the reaper took back meanwhile is pending again, or another's.
  A task taken back is leased anew, as this attempt leases: its token, its deadline, its start;
  so a later attempt finds it where this one's leases are, and no lease is handed over half spent.

  Returns, per claimed task, { id, script, args, timeout, attempt, caller, created, lease token,
  traceparent, priority, retryOf, language, script name, script version, schedule name } (the
  order TaskHash.ToClaimed takes).
]]

local task_fields = { 'status', 'attempts', 'script', 'args', 'timeout', 'caller', 'created', 'traceparent', 'priority', 'retryOf',
  'language', 'scriptName', 'scriptVersion', 'scheduleName' }

-- One claimed task as claim_tasks returns it; f holds task_fields' values.
local function claimed_row(id, f, attempt, token)
  return { id, f[3], f[4], f[5], attempt, f[6], f[7], token, f[8] or '', f[9] or '0', f[10] or '', f[11] or '',
    f[12] or '', f[13] or '', f[14] or '' }
end

-- The attempts sent before this one, from ARGV[first]: their count, then each one's sent (ms) and stem.
local function earlier_attempts(first)
  local earlier = {}
  for i = 1, tonumber(ARGV[first] or '0') do
    earlier[i] = { tonumber(ARGV[first + 2 * i - 1]), ARGV[first + 2 * i] }
  end
  return earlier
end

-- The tasks that earlier attempts of this claim leased (earlier: a list of { sent (ms), stem }),
-- leased anew from now with this attempt's stem; tokens are numbered from 1.
local function leased_before(processing, prefix, now, lease, stem, earlier)
  local out, leased = {}, {}
  for _, attempt in ipairs(earlier) do
    local deadline = attempt[1] + lease
    local theirs = attempt[2] .. '.'
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', processing, deadline, deadline)) do
      local key = prefix .. id
      local held = redis.call('HGET', key, 'lease')
      if held and string.sub(held, 1, #theirs) == theirs then
        local f = redis.call('HMGET', key, unpack(task_fields))
        if f[1] == 'processing' then
          local token = stem .. '.' .. (#out + 1)
          redis.call('HSET', key, 'lease', token, 'started', now)
          leased[#leased + 1] = now + lease
          leased[#leased + 1] = id
          out[#out + 1] = claimed_row(id, f, tonumber(f[2]), token)
        end
      end
    end
  end
  if #leased > 0 then redis.call('ZADD', processing, unpack(leased)) end
  return out
end

-- processing: the circle's processing set; lanes: the index in KEYS of the priority-0 lane
-- (lanes 1..9 follow it, then the paused flag: RedisKeys.Claimable); stem: the lease tokens'
-- stem, each token is stem.n; earlier: the attempts sent before this one (leased_before), or {}.
local function claim_tasks(processing, lanes, prefix, channel, now, lease, worker, want, stem, earlier)
  local out = leased_before(processing, prefix, now, lease, stem, earlier)
  want = want - #out
  if want < 1 then return out end
  local ids = {}
  -- Most claims find an idle circle: one EXISTS over lanes 1..9 and the paused flag tells
  -- whether either holds anything, so an empty circle costs two commands, not ten, and the
  -- flag costs a command of its own only when the answer is not 0.
  local top = 0
  if redis.call('EXISTS', unpack(KEYS, lanes + 1, lanes + 10)) > 0 then
    if redis.call('EXISTS', KEYS[lanes + 10]) == 1 then return out end
    top = 9
  end
  for lane = top, 0, -1 do
    if #ids >= want then break end
    local popped = redis.call('RPOP', KEYS[lanes + lane], want - #ids)
    if popped then
      if type(popped) == 'string' then popped = { popped } end -- Garnet answers RPOP key 1 with the element, not a list
      for _, id in ipairs(popped) do ids[#ids + 1] = id end
    end
  end
  local leased = {}
  for _, id in ipairs(ids) do
    local key = prefix .. id
    local f = redis.call('HMGET', key, unpack(task_fields))
    if f[1] == 'pending' then
      local token = stem .. '.' .. (#out + 1)
      local attempt = tonumber(f[2] or '0') + 1
      redis.call('HSET', key, 'status', 'processing', 'attempts', attempt, 'lease', token, 'worker', worker, 'started', now)
      redis.call('PUBLISH', channel, id .. ' processing')
      leased[#leased + 1] = now + lease
      leased[#leased + 1] = id
      out[#out + 1] = claimed_row(id, f, attempt, token)
    end
  end
  if #leased > 0 then redis.call('ZADD', processing, unpack(leased)) end
  return out
end
