--[[
  Index the failures a circle recorded before its index of failures existed (IndexFailuresScript.cs).
  Walks the circle's index (RedisKeys.Index) from its oldest entry, a run at a time, adding each
  task that ended failed to the index of failures, scored by the time it failed. Where the
  walk stands is kept in KEYS[3] as "created:skip" (go on from the entries created at that time
  (ms), past the first `skip` of them), or `done` once it has reached the end. Entries are only
  ever added at the index's newest end, so the walk's place stays true between runs; an entry
  seen twice is added twice, which changes nothing.

  KEYS[1] index   KEYS[2] failed   KEYS[3] where the walk stands

  ARGV[1] task hash prefix   ARGV[2] most entries to read in this run

  Returns { 1 when the walk is done, else 0; failures added in this run }.
]]
local at = redis.call('GET', KEYS[3])
if at == 'done' then return { 1, 0 } end
local from, skip = '-inf', 0
if at then
  local created, skipped = string.match(at, '^(%d+):(%d+)$')
  if created then from, skip = created, tonumber(skipped) end
end
local most = tonumber(ARGV[2])
local entries = redis.call('ZRANGEBYSCORE', KEYS[1], from, '+inf', 'WITHSCORES', 'LIMIT', skip, most)
local added = 0
for i = 1, #entries, 2 do
  local f = redis.call('HMGET', ARGV[1] .. entries[i], 'status', 'finished')
  if f[1] == 'failed' then
    added = added + redis.call('ZADD', KEYS[2], f[2] or entries[i + 1], entries[i])
  end
end
if #entries < most * 2 then
  redis.call('SET', KEYS[3], 'done')
  return { 1, added }
end
-- The next run starts at the last created time read, past the entries of that time read so far.
local function ms(score) return string.format('%.0f', tonumber(score)) end
local last, same = ms(entries[#entries]), 0
for i = #entries, 2, -2 do
  if ms(entries[i]) ~= last then break end
  same = same + 1
end
if last == from then same = same + skip end
redis.call('SET', KEYS[3], last .. ':' .. same)
return { 0, added }
