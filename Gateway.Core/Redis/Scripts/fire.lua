--[[
  Handle one due time of a schedule (FireScript.cs): compare-and-set the schedule's next due
  time, and submit the firing's task in the same script. The process that moves `next` from
  the value it read is the one that submits the task, so each due time fires once however many
  processes try, and a crash can neither fire without recording it nor record without firing.

  KEYS[1] the schedule's hash (ScheduleHash.cs)   KEYS[2] the circle's schedules: zset name -> next due (ms)
  KEYS[3] index   KEYS[4] scheduled   KEYS[5..14] the queue lanes of priorities 0..9
    (KEYS[4..14] are RedisKeys.Waiting: lanes.lua counts them and picks the lane, as for submit.lua)
  KEYS[15] optional: the versions of the registered script the schedule names (RedisKeys.Script)

  ARGV[1] name   ARGV[2] the next due time read (ms)   ARGV[3] the rev read
  ARGV[4] the due time to fire (ms; "" when it passed too long ago and is only skipped)
  ARGV[5] the new next due time (ms; "" for none)   ARGV[6] now (ms)
  ARGV[7] task hash prefix   ARGV[8] events channel   ARGV[9] circle
  ARGV[10] most tasks the circle may hold waiting (queued in any lane, or scheduled), as for submit.lua
  ARGV[11] the new task's id   ARGV[12] traceparent

  The task is an ordinary pending task (fields of TaskHash.cs, the `pending` message of
  TaskEventMessage.cs) with scheduleName set and caller "schedule:<name>", queued in the lane
  of the schedule's priority, with the schedule's retry policy (if any). A task of a registered script takes that version's language, as a
  submit by name does; the schedule's own language applies to a script given as text.

  Returns { kind [, task id] } (FiringOutcome in Schedule.cs):
    { 0 }       next or rev is not what the caller read: another process handled it, or the
                schedule was changed or deleted; nothing written
    { 1, id }   fired: the task was submitted
    { 2, id }   skipped: overlap is "skip" and the previous task (id) has not finished
    { 3 }       missed: the due time is too old to fire
    { 4 }       skipped: the circle holds as many waiting tasks as it may
    { 5 }       skipped: the registered script (or pinned version) no longer exists
  In every case but 0 the next due time has moved on.
]]
local f = redis.call('HMGET', KEYS[1], 'next', 'rev', 'overlap', 'lastTask', 'script', 'scriptName', 'scriptVersion',
  'args', 'timeout', 'language', 'priority', 'retryAttempts', 'retryBackoff', 'retryFactor')
if f[1] ~= ARGV[2] or f[2] ~= ARGV[3] then return { 0 } end
local name, due, now = ARGV[1], ARGV[4], ARGV[6]
redis.call('HSET', KEYS[1], 'next', ARGV[5], 'lastDue', due ~= '' and due or ARGV[2])
if ARGV[5] == '' then
  redis.call('ZADD', KEYS[2], '+inf', name)
else
  redis.call('ZADD', KEYS[2], ARGV[5], name)
end
if due == '' then return { 3 } end

local prefix = ARGV[7]
if f[3] ~= 'allow' and f[4] and f[4] ~= '' then
  local status = redis.call('HGET', prefix .. f[4], 'status')
  if status == 'pending' or status == 'processing' or status == 'scheduled' then return { 2, f[4] } end
end

local script, version, language = f[5], '', f[10] or 'javascript'
if f[6] and f[6] ~= '' then
  if not KEYS[15] then return { 5 } end
  version = f[7]
  if not version or version == '' then version = redis.call('HGET', KEYS[15], 'latest') end
  script = version and redis.call('HGET', KEYS[15], version .. ':script')
  if not script then return { 5 } end
  -- A registered script runs in the language it was registered in, as a submit by name does.
  language = redis.call('HGET', KEYS[15], version .. ':language') or language
end

if waiting_tasks(4) >= tonumber(ARGV[10]) then return { 4 } end

local priority = lane_of(f[11])
local id = ARGV[11]
local key = prefix .. id
redis.call('HSET', key, 'id', id, 'circle', ARGV[9], 'script', script, 'args', f[8], 'timeout', f[9],
  'caller', 'schedule:' .. name, 'traceparent', ARGV[12], 'created', now, 'status', 'pending', 'attempts', 0,
  'scheduleName', name, 'language', language, 'priority', priority)
if version ~= '' then redis.call('HSET', key, 'scriptName', f[6], 'scriptVersion', version) end
-- The schedule's retry policy, in the fields submit.lua writes for one (a schedule from before has none).
if tonumber(f[12] or '0') > 0 then
  redis.call('HSET', key, 'retryAttempts', f[12], 'retryBackoff', f[13], 'retryFactor', f[14], 'retried', 0)
end
redis.call('LPUSH', lane_key(4, priority), id)
redis.call('ZADD', KEYS[3], now, id)
redis.call('HSET', KEYS[1], 'lastRun', due, 'lastTask', id)
redis.call('PUBLISH', ARGV[8], id .. ' pending')
return { 1, id }
