--[[
  Complete a claimed task, fenced by its lease token: a worker whose lease was taken over
  writes nothing (CompleteScript.cs). A failure the task's retry policy covers (the caller says
  whether its code is retryable) is not written as the end: the task goes back to the scheduled
  set for its next attempt, keeping this run's error and output until then. A task that ends
  failed joins the circle's index of failures (RedisKeys.Failed), scored by the time it
  failed. The circle's indexes are trimmed by the reaper, not here.

  When the worker asks for it (ARGV[15] > 0), the same script then claims the circle's next
  pending tasks for the slots this run frees (claim_tasks in claiming.lua): one round trip where a
  completion and a claim took two, as bullmq's moveToFinished does.

  The write leaves the lease field as '~' and the token: spent, so that a completion sent again
  because its answer was lost (ARGV[14] = 1) knows its first attempt wrote, and answers as that
  attempt did, rather than as a worker whose lease was taken over. Its claim takes back what the
  earlier attempts leased, as a repeated claim does; so does a repeat that finds itself fenced
  (the task claimed again since), though it claims nothing new.

  KEYS[1] the task's hash    KEYS[2] processing    KEYS[3] scheduled    KEYS[4] failed
  KEYS[5..14] the queue lanes of priorities 0..9, then KEYS[15] the paused flag, when claiming the next task

  ARGV[1] id        ARGV[2] lease token   ARGV[3] status     ARGV[4] result JSON
  ARGV[5] error     ARGV[6] output        ARGV[7] finished (ms)
  ARGV[8] duration (ms)     ARGV[9] retention (ms)
  ARGV[10] events channel   ARGV[11] the message to publish (TaskEventMessage.cs)
  ARGV[12] 1 when the error's code is one a retry policy applies to, else 0
  ARGV[13] the longest backoff (ms)
  ARGV[14] 1 when this call repeats one whose answer was lost, else 0
  ARGV[15] how many tasks to claim for the freed slots (0: none); then ARGV[16] task hash prefix,
  ARGV[17] lease (ms), ARGV[18] worker id, ARGV[19] lease-token stem, ARGV[20] now (ms), and from
  ARGV[21] the attempts sent before (their count, then each one's now and stem, as claim.lua's ARGV[8..])

  Returns { 1, next } when written, { 0, next } when fenced off, { 2, next, due (ms) } when a retry
  was scheduled; next is the list claim_tasks returns (empty when not asked or nothing was pending).
  A fenced worker claims nothing new: its slot goes back through the ordinary claim.
]]
local function next_tasks()
  local slots = tonumber(ARGV[15])
  if slots < 1 then return {} end
  return claim_tasks(KEYS[2], 5, ARGV[16], ARGV[10], tonumber(ARGV[20]), tonumber(ARGV[17]), ARGV[18], slots, ARGV[19],
    earlier_attempts(21))
end

-- When the n-th retry of a run that finished at ARGV[7] is due (ms, as text).
local function retry_due(backoff, factor, n)
  local delay = math.min(tonumber(backoff) * tonumber(factor) ^ (n - 1), tonumber(ARGV[13]))
  return string.format('%.0f', tonumber(ARGV[7]) + math.floor(delay))
end

local spent = '~' .. ARGV[2]
local held = redis.call('HGET', KEYS[1], 'lease')
if held ~= ARGV[2] then
  if ARGV[14] ~= '1' then return { 0, {} } end
  if held ~= spent then
    if tonumber(ARGV[15]) < 1 then return { 0, {} } end
    return { 0, leased_before(KEYS[2], ARGV[16], tonumber(ARGV[20]), tonumber(ARGV[17]), ARGV[19], earlier_attempts(21)) }
  end
  -- An earlier attempt of this call wrote; no claim has taken the task since (it would have
  -- replaced the token). It wrote this status, or scheduled a retry: the retry's due time is
  -- worked out again when a promotion has taken it off the task since.
  local f = redis.call('HMGET', KEYS[1], 'status', 'runAt', 'retryBackoff', 'retryFactor', 'retried')
  if f[1] == ARGV[3] then return { 1, next_tasks() } end
  return { 2, next_tasks(), f[2] or retry_due(f[3], f[4], tonumber(f[5])) }
end
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[3] == 'failed' and ARGV[12] == '1' then
  local p = redis.call('HMGET', KEYS[1], 'retryAttempts', 'retryBackoff', 'retryFactor', 'retried', 'cancel')
  local most, done = tonumber(p[1] or '0'), tonumber(p[4] or '0')
  if most > 0 and done < most and not p[5] then
    local n = done + 1
    local due = retry_due(p[2], p[3], n)
    redis.call('HSET', KEYS[1], 'status', 'scheduled', 'runAt', due, 'retried', n, 'error', ARGV[5],
      'output', ARGV[6], 'duration', ARGV[8], 'lease', spent)
    redis.call('ZADD', KEYS[3], due, ARGV[1])
    redis.call('PUBLISH', ARGV[10], ARGV[1] .. ' scheduled')
    return { 2, next_tasks(), due }
  end
end
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'result', ARGV[4], 'error', ARGV[5],
  'output', ARGV[6], 'finished', ARGV[7], 'duration', ARGV[8], 'lease', spent)
redis.call('PEXPIRE', KEYS[1], ARGV[9])
if ARGV[3] == 'failed' then
  redis.call('ZADD', KEYS[4], ARGV[7], ARGV[1])
end
redis.call('PUBLISH', ARGV[10], ARGV[11])
return { 1, next_tasks() }
