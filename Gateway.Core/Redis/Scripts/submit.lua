--[[
  Submit N tasks of one circle (SubmitScript.cs builds the arguments and reads the reply).

  KEYS[1] index         sorted set id -> created (ms)
  KEYS[2] processing    sorted set id -> lease deadline (ms)
  KEYS[3] scheduled     sorted set id -> due time (ms)
  KEYS[4..13] the queue lanes of priorities 0..9, lists of waiting ids
    (KEYS[3..13] are RedisKeys.Waiting: lanes.lua counts them and picks the lane)
  KEYS[14] paused flag  exists while the circle is paused: no task starts here then
  KEYS[15] idempotency  optional: the record of an earlier submit with the same key

  ARGV[1]  task hash prefix         ARGV[2]  events channel
  ARGV[3]  created (ms)             ARGV[4]  circle
  ARGV[5]  idempotency record       ARGV[6]  its time to live (ms)
  ARGV[7]  most tasks the circle may hold waiting (queued in any lane, or scheduled)
  ARGV[8]  how many tasks the submitting process's worker may take at once (0: none)
  ARGV[9]  that worker's id         ARGV[10] the lease deadline (ms)
  ARGV[11] lease-token stem
  ARGV[12] 1: store nothing if a task some new one re-runs (its retryOf) has been re-run already
  then 15 per task: id, script, args, timeout (ms), caller, traceparent, priority (0-9),
    due (ms; 0: now), retryOf (or ""), retry attempts (0: no policy), retry backoff (ms), retry factor,
    language, registered script name and version ("" when the script was sent as text)

  A task with a due time is stored scheduled, in the scheduled set (promote.lua makes it pending
  then). When every lane is empty and the circle is not paused, the first tasks due now go
  straight to the submitting process's free worker slots: stored processing, leased, never
  queued, each with an "id processing" message for the circle's stream (workers wake only for
  "pending"). The rest are queued in the lane of their priority, each with a message that wakes
  the workers (one per task, so a worker that missed one still hears the next); each scheduled
  one has an "id scheduled" message, which tells the promoters to look at the set again. A task
  that re-runs another (retryOf) is named on that one as its retriedBy. Task hash fields are
  those of TaskHash.cs; messages those of TaskEventMessage.cs.

  Returns { kind [, value] } (SubmitReply in SubmitScript.cs):
    { 0 }          queued (or scheduled)
    { 1, n }       the first n tasks due now were taken by the submitting process's worker, the rest queued
    { 2 }          refused, nothing stored: the circle would hold too many waiting tasks
    { 3, record }  nothing stored: the record an earlier submit with the same idempotency key left
    { 4, { n… } }  nothing stored (ARGV[12] = 1): the tasks at these places (0-based) re-run a task
                   that has been re-run already
]]
local PER, FIRST = 15, 13
local prefix, channel, created, circle = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local idem = KEYS[15]
if idem then
  local seen = redis.call('GET', idem)
  if seen then return { 3, seen } end
end

if ARGV[12] == '1' then
  local again = {}
  for i = FIRST, #ARGV, PER do
    if ARGV[i + 8] ~= '' and redis.call('HEXISTS', prefix .. ARGV[i + 8], 'retriedBy') == 1 then again[#again + 1] = (i - FIRST) / PER end
  end
  if #again > 0 then return { 4, again } end
end

local waiting, queuedBefore, paused = waiting_tasks(3, KEYS[14])
local direct = tonumber(ARGV[8])
if queuedBefore > 0 or paused then direct = 0 end

-- Which tasks wait (queued or scheduled) and which the local slots take, before anything is written.
local claimed, adding = 0, 0
local kinds = {}
for i = FIRST, #ARGV, PER do
  if tonumber(ARGV[i + 7]) > 0 then
    kinds[i] = 's'
    adding = adding + 1
  elseif claimed < direct then
    kinds[i] = 'd'
    claimed = claimed + 1
  else
    kinds[i] = 'q'
    adding = adding + 1
  end
end
if adding > 0 and waiting + adding > tonumber(ARGV[7]) then return { 2 } end
if idem then redis.call('SET', idem, ARGV[5], 'PX', ARGV[6]) end

local scored, leased, due, lanes, messages = {}, {}, {}, {}, {}
local n = 0
for i = FIRST, #ARGV, PER do
  local id, priority, kind = ARGV[i], tonumber(ARGV[i + 6]), kinds[i]
  local fields = { 'id', id, 'circle', circle, 'script', ARGV[i + 1], 'args', ARGV[i + 2], 'timeout', ARGV[i + 3],
    'caller', ARGV[i + 4], 'traceparent', ARGV[i + 5], 'created', created, 'priority', priority, 'language', ARGV[i + 12] }
  if ARGV[i + 13] ~= '' then
    fields[#fields + 1] = 'scriptName'
    fields[#fields + 1] = ARGV[i + 13]
    fields[#fields + 1] = 'scriptVersion'
    fields[#fields + 1] = ARGV[i + 14]
  end
  if ARGV[i + 8] ~= '' then
    fields[#fields + 1] = 'retryOf'
    fields[#fields + 1] = ARGV[i + 8]
    -- The task it re-runs names its latest re-run, while that task is kept (its expiry stays).
    local old = prefix .. ARGV[i + 8]
    if redis.call('EXISTS', old) == 1 then redis.call('HSET', old, 'retriedBy', id) end
  end
  if tonumber(ARGV[i + 9]) > 0 then
    for _, f in ipairs({ 'retryAttempts', ARGV[i + 9], 'retryBackoff', ARGV[i + 10], 'retryFactor', ARGV[i + 11], 'retried', 0 }) do
      fields[#fields + 1] = f
    end
  end
  if kind == 'd' then
    n = n + 1
    for _, f in ipairs({ 'status', 'processing', 'attempts', 1, 'lease', ARGV[11] .. '.' .. n, 'worker', ARGV[9], 'started', created }) do
      fields[#fields + 1] = f
    end
    leased[#leased + 1] = ARGV[10]
    leased[#leased + 1] = id
    messages[#messages + 1] = id .. ' processing'
  elseif kind == 's' then
    for _, f in ipairs({ 'status', 'scheduled', 'attempts', 0, 'runAt', ARGV[i + 7] }) do fields[#fields + 1] = f end
    due[#due + 1] = ARGV[i + 7]
    due[#due + 1] = id
    messages[#messages + 1] = id .. ' scheduled'
  else
    for _, f in ipairs({ 'status', 'pending', 'attempts', 0 }) do fields[#fields + 1] = f end
    local lane = lanes[priority]
    if not lane then
      lane = {}
      lanes[priority] = lane
    end
    lane[#lane + 1] = id
    messages[#messages + 1] = id .. ' pending'
  end
  redis.call('HSET', prefix .. id, unpack(fields))
  scored[#scored + 1] = created
  scored[#scored + 1] = id
end
redis.call('ZADD', KEYS[1], unpack(scored))
if #leased > 0 then redis.call('ZADD', KEYS[2], unpack(leased)) end
if #due > 0 then redis.call('ZADD', KEYS[3], unpack(due)) end
for priority, ids in pairs(lanes) do redis.call('LPUSH', lane_key(3, priority), unpack(ids)) end
for _, message in ipairs(messages) do redis.call('PUBLISH', channel, message) end
if claimed > 0 then return { 1, claimed } end
return { 0 }
