--[[
  Register a script under a name in a circle (RegisterScript.cs). Versions are by content: the
  same text and language as the latest version make no new one. A description given replaces
  the latest's when the text is the same, and goes with a new version; one not given keeps the
  latest's.

  KEYS[1] the circle's registered scripts   hash name -> latest version
  KEYS[2] this name's versions              hash (RedisKeys.Script): latest, n:script, n:sha256,
                                            n:language, n:description, n:created

  ARGV[1] name   ARGV[2] sha256 of the text   ARGV[3] language   ARGV[4] description
  ARGV[5] now (ms)   ARGV[6] the text   ARGV[7] 1 when a description was given, else 0

  Returns { kind, version, description, created (ms) } of the version that now holds the text:
    kind 0   the latest version already had this text and language: no new version
    kind 1   a new version of a known name
    kind 2   the first version of a new name
]]
local given = ARGV[7] == '1'
local description = ARGV[4]
local latest = tonumber(redis.call('HGET', KEYS[2], 'latest') or '0')
if latest > 0 then
  local p = latest .. ':'
  local same = redis.call('HMGET', KEYS[2], p .. 'sha256', p .. 'language', p .. 'description', p .. 'created')
  if not given then description = same[3] or '' end
  if same[1] == ARGV[2] and same[2] == ARGV[3] then
    if description ~= (same[3] or '') then
      redis.call('HSET', KEYS[2], p .. 'description', description)
    end
    return { 0, latest, description, tonumber(same[4]) }
  end
end
local v = latest + 1
local p = v .. ':'
redis.call('HSET', KEYS[2], 'latest', v, p .. 'script', ARGV[6], p .. 'sha256', ARGV[2],
  p .. 'language', ARGV[3], p .. 'description', description, p .. 'created', ARGV[5])
redis.call('HSET', KEYS[1], ARGV[1], v)
if latest == 0 then return { 2, v, description, tonumber(ARGV[5]) } end
return { 1, v, description, tonumber(ARGV[5]) }
