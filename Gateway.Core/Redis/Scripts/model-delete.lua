--[[
  Remove one domain entity and give its bytes back to the circle's count (ModelDeleteScript.cs).

  KEYS[1] the kind's hash (id -> JSON)    KEYS[2] the circle's entity bytes (a count)
  ARGV[1] id

  Returns 1 when this call removed the entity, 0 when there was none.
]]
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
if used <= #current then
  redis.call('DEL', KEYS[2])
else
  redis.call('DECRBY', KEYS[2], #current)
end
return 1
