--[[
  Store one domain entity, new or changed, and keep the count of bytes the circle's entities
  take within its limit (ModelWriteScript.cs).

  KEYS[1] the kind's hash (id -> JSON)    KEYS[2] the circle's entity bytes (a count)
  ARGV[1] id    ARGV[2] the JSON the entity held when read ('' for a new one)
  ARGV[3] the new JSON    ARGV[4] most bytes the circle's entities may take together

  Returns 0 when stored (for a new entity also when it already holds ARGV[3]: the repeat of a
  write whose answer was lost; nobody else writes a fresh id), 1 when the entity is not as read
  (changed, even to ARGV[3] by another writer; removed; or a new id already taken), 2 when the
  circle's entities would take more than ARGV[4] bytes (ModelWrite). A shrinking write is
  never refused.
]]
local current = redis.call('HGET', KEYS[1], ARGV[1])
if (current or '') ~= ARGV[2] then
  if ARGV[2] == '' and current == ARGV[3] then return 0 end
  return 1
end
local grow = #ARGV[3] - #ARGV[2]
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
if grow > 0 and used + grow > tonumber(ARGV[4]) then return 2 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if used + grow <= 0 then
  redis.call('DEL', KEYS[2])
else
  redis.call('INCRBY', KEYS[2], grow)
end
return 0
