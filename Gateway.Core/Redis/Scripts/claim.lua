--[[
  Claim up to N pending tasks of one circle for a worker (ClaimScript.cs); the claiming itself is
  claim_tasks in claiming.lua.

  KEYS[1] processing   KEYS[2..11] the queue lanes of priorities 0..9   KEYS[12] the paused flag

  ARGV[1] task hash prefix   ARGV[2] events channel   ARGV[3] now (ms)
  ARGV[4] lease (ms)         ARGV[5] worker id        ARGV[6] N
  ARGV[7] lease-token stem
  ARGV[8] how many attempts of this claim were sent before this one (0 but when its answer was
  lost), then ARGV[9], ARGV[10], … each one's now (ms) and lease-token stem

  Returns the claimed tasks as claim_tasks does: first those an earlier attempt leased.
]]
return claim_tasks(KEYS[1], 2, ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6]), ARGV[7],
  earlier_attempts(8))
