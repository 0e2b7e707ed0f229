--[[
  Submit N tasks of one circle (SubmitScript.cs builds the arguments and reads the reply).

  KEYS[1] queue         list of waiting ids
  KEYS[2] index         sorted set id -> created (ms)
  KEYS[3] processing    sorted set id -> lease deadline (ms)
  KEYS[4] idempotency   optional: the record of an earlier submit with the same key

  ARGV[1]  task hash prefix         ARGV[2]  events channel
  ARGV[3]  created (ms)             ARGV[4]  circle
  ARGV[5]  idempotency record       ARGV[6]  its time to live (ms)
  ARGV[7]  most tasks the queue may hold
  ARGV[8]  how many tasks the submitting process's worker may take at once (0: none)
  ARGV[9]  that worker's id         ARGV[10] the lease deadline (ms)
  ARGV[11] lease-token stem
  then 8 per task: id, script, args, timeout (ms), caller, traceparent, registered script name
  and version ("" when the script was sent as text)

  When the queue is empty, the first tasks go straight to the submitting process's free worker
  slots: stored processing, leased, never queued; nobody can be watching a task that did not
  exist, so that takes no message. The rest are queued, each with a message that wakes the
  workers (one per task, so a worker that missed one still hears the next). Task hash fields
  are those of TaskHash.cs; event messages those of TaskEventMessage.cs ("id status").

  Returns { kind [, value] } (SubmitReply in SubmitScript.cs):
    { 0 }          queued
    { 1, n }       the first n were taken by the submitting process's worker, the rest queued
    { 2 }          refused, nothing stored: the queue would hold too many
    { 3, record }  nothing stored: the record an earlier submit with the same idempotency key left
]]
local prefix, channel, created, circle = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if KEYS[4] then
  local seen = redis.call('GET', KEYS[4])
  if seen then return { 3, seen } end
end
local direct = tonumber(ARGV[8])
if direct > 0 and redis.call('LLEN', KEYS[1]) > 0 then direct = 0 end
local scored, leased, queued, claimed = {}, {}, {}, 0
for i = 12, #ARGV, 8 do
  local id = ARGV[i]
  scored[#scored + 1] = created
  scored[#scored + 1] = id
  if claimed < direct then
    claimed = claimed + 1
    leased[#leased + 1] = ARGV[10]
    leased[#leased + 1] = id
  else
    queued[#queued + 1] = id
  end
end
if #queued > 0 and redis.call('LPUSH', KEYS[1], unpack(queued)) > tonumber(ARGV[7]) then
  redis.call('LPOP', KEYS[1], #queued)
  return { 2 }
end
if KEYS[4] then redis.call('SET', KEYS[4], ARGV[5], 'PX', ARGV[6]) end
local n = 0
for i = 12, #ARGV, 8 do
  local id = ARGV[i]
  n = n + 1
  if n <= claimed then
    redis.call('HSET', prefix .. id, 'id', id, 'circle', circle, 'script', ARGV[i + 1],
      'args', ARGV[i + 2], 'timeout', ARGV[i + 3], 'caller', ARGV[i + 4], 'traceparent', ARGV[i + 5],
      'created', created, 'status', 'processing', 'attempts', 1, 'lease', ARGV[11] .. '.' .. n,
      'worker', ARGV[9], 'started', created)
  else
    redis.call('HSET', prefix .. id, 'id', id, 'circle', circle, 'script', ARGV[i + 1],
      'args', ARGV[i + 2], 'timeout', ARGV[i + 3], 'caller', ARGV[i + 4], 'traceparent', ARGV[i + 5],
      'created', created, 'status', 'pending', 'attempts', 0)
  end
  if ARGV[i + 6] ~= '' then
    redis.call('HSET', prefix .. id, 'scriptName', ARGV[i + 6], 'scriptVersion', ARGV[i + 7])
  end
end
redis.call('ZADD', KEYS[2], unpack(scored))
if claimed > 0 then redis.call('ZADD', KEYS[3], unpack(leased)) end
for _, id in ipairs(queued) do redis.call('PUBLISH', channel, id .. ' pending') end
if claimed > 0 then return { 1, claimed } end
return { 0 }
