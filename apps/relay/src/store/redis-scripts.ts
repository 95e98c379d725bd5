/**
 * The Redis store's commands as Lua scripts (docs/protocol/relay.md §9): each runs atomically,
 * so every store operation is all-or-nothing and a one-time prekey claim can never be shared.
 * ARGV[1] is always the key prefix; ids travel as hex. Keys are built inside the scripts, which
 * ties this store to a single Redis primary (with replicas), as socket.io's Redis adapter is.
 */
const PRELUDE = `
local p = ARGV[1]
local function K(kind, id) return p .. kind .. ':{' .. id .. '}' end
local function blobKey(rid, mid) return p .. 'b:{' .. rid .. '}:' .. mid end
local function destroy(rid)
  local Q = K('q', rid)
  local sid = redis.call('HGET', Q, 's')
  local mids = redis.call('ZRANGE', K('o', rid), 0, -1)
  for _, mid in ipairs(mids) do redis.call('DEL', blobKey(rid, mid)) end
  redis.call('DEL', Q, K('o', rid), K('e', rid), K('z', rid))
  if sid then redis.call('DEL', K('s', sid)) end
end
-- true when the queue is alive; drops an idle queue and the expired blobs of a live one
local function live(rid, now, idle)
  local Q = K('q', rid)
  local a = redis.call('HGET', Q, 'a')
  if not a then return false end
  if tonumber(a) + idle <= now then destroy(rid) return false end
  local E = K('e', rid)
  local expired = redis.call('ZRANGEBYSCORE', E, '-inf', now)
  if #expired > 0 then
    local Z = K('z', rid)
    local O = K('o', rid)
    local freed = 0
    for _, mid in ipairs(expired) do
      freed = freed + tonumber(redis.call('HGET', Z, mid) or '0')
      redis.call('DEL', blobKey(rid, mid))
      redis.call('ZREM', E, mid)
      redis.call('ZREM', O, mid)
      redis.call('HDEL', Z, mid)
    end
    if freed > 0 then redis.call('HINCRBY', Q, 'b', -freed) end
  end
  return true
end
-- Renews a queue's idle expiry. Skipped when renewed within the last 1% of the idle TTL (at most
-- a minute): expiry stays that precise, and a busy queue does not rewrite seven keys per blob.
-- \`force\` (a new queue) always sets it: every key carries a native expiry from the moment it
-- exists (relay.md §9), so a queue whose whole life fits in that minute still goes away.
local function touch(rid, now, idle, force)
  local Q = K('q', rid)
  local a = tonumber(redis.call('HGET', Q, 'a') or '0')
  if not force and now >= a and now - a < math.min(idle / 100, 60000) then return end
  redis.call('HSET', Q, 'a', now)
  local sid = redis.call('HGET', Q, 's')
  for _, key in ipairs({Q, K('o', rid), K('e', rid), K('z', rid), K('s', sid)}) do redis.call('PEXPIRE', key, idle) end
end
`;

/** ARGV: p, rid, sid, key, now, idle → 'created' | 'taken' */
const CREATE = `
local rid, sid, key, now, idle = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
live(rid, now, idle)
local owner = redis.call('GET', K('s', sid))
if owner then live(owner, now, idle) end
if redis.call('EXISTS', K('q', rid)) == 1 or redis.call('EXISTS', K('s', sid)) == 1 then return 'taken' end
redis.call('HSET', K('q', rid), 'k', key, 's', sid, 'b', 0, 'a', now, 'n', 0)
redis.call('SET', K('s', sid), rid)
touch(rid, now, idle, true)
return 'created'
`;

/** ARGV: p, rid, now, idle → key | nil */
const RECIPIENT_KEY = `
local rid, now, idle = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if not live(rid, now, idle) then return false end
return redis.call('HGET', K('q', rid), 'k')
`;

/** ARGV: p, sid, mid, record, expiresAt, now, idle, maxCount, maxBytes, size, ttl → {1, rid} | {0, error} */
const PUT = `
local sid, mid, record = ARGV[2], ARGV[3], ARGV[4]
local expiresAt, now, idle = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local maxCount, maxBytes, size, ttl = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
local rid = redis.call('GET', K('s', sid))
if not rid or not live(rid, now, idle) then return {0, 'auth'} end
local Q = K('q', rid)
if redis.call('HGET', Q, 's') ~= sid then return {0, 'auth'} end
if redis.call('ZCARD', K('o', rid)) + 1 > maxCount or tonumber(redis.call('HGET', Q, 'b')) + size > maxBytes then
  return {0, 'quota_exceeded'}
end
local fresh = redis.call('EXISTS', K('o', rid)) == 0
local seq = redis.call('HINCRBY', Q, 'n', 1)
redis.call('ZADD', K('o', rid), seq, mid)
redis.call('ZADD', K('e', rid), expiresAt, mid)
redis.call('HSET', K('z', rid), mid, size)
redis.call('HINCRBY', Q, 'b', size)
redis.call('SET', blobKey(rid, mid), record, 'PX', ttl)
if fresh then
  -- New index keys take the queue's remaining lifetime, so nothing outlives an abandoned queue
  -- (a queue made before every queue had an expiry has none: it gets the idle TTL from now).
  local left = redis.call('PTTL', Q)
  if left <= 0 then
    left = idle
    redis.call('PEXPIRE', Q, left)
    redis.call('PEXPIRE', K('s', sid), left)
  end
  for _, key in ipairs({K('o', rid), K('e', rid), K('z', rid)}) do redis.call('PEXPIRE', key, left) end
end
touch(rid, now, idle)
return {1, rid}
`;

/** ARGV: p, rid, now, idle, max, maxBytes, headerBytes → {0} | {1, more, mid, record, …} */
const PENDING = `
local rid, now, idle = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local max, maxBytes, header = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
if not live(rid, now, idle) then return {0} end
local mids = redis.call('ZRANGE', K('o', rid), 0, max)
local out = {1, 0}
local total, n = 0, 0
for _, mid in ipairs(mids) do
  if n >= max then out[2] = 1 break end
  local record = redis.call('GET', blobKey(rid, mid))
  if record then
    local size = #record - header
    if n > 0 and total + size > maxBytes then out[2] = 1 break end
    n = n + 1
    total = total + size
    out[#out + 1] = mid
    out[#out + 1] = record
  end
end
touch(rid, now, idle)
return out
`;

/** ARGV: p, rid, now, idle, mid… → 0 | 1 */
const ACK = `
local rid, now, idle = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if not live(rid, now, idle) then return 0 end
local freed = 0
for i = 5, #ARGV do
  local mid = ARGV[i]
  if redis.call('ZREM', K('o', rid), mid) == 1 then
    redis.call('ZREM', K('e', rid), mid)
    freed = freed + tonumber(redis.call('HGET', K('z', rid), mid) or '0')
    redis.call('HDEL', K('z', rid), mid)
    redis.call('DEL', blobKey(rid, mid))
  end
end
if freed > 0 then redis.call('HINCRBY', K('q', rid), 'b', -freed) end
touch(rid, now, idle)
return 1
`;

/** ARGV: p, rid, now, idle → 0 | 1 */
const DELETE = `
local rid, now, idle = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if not live(rid, now, idle) then return 0 end
destroy(rid)
return 1
`;

const SLOT_PRELUDE = `
-- true when the slot is alive; drops an expired one
local function liveSlot(slot, now)
  local P = K('p', slot)
  local x = redis.call('HGET', P, 'x')
  if not x then return false end
  if tonumber(x) <= now then redis.call('DEL', P, K('k', slot)) return false end
  return true
end
`;

/** ARGV: p, slot, key, bundle, mode, now, ttl, maxPerSlot, prekey… → {1, remaining} | {0, error} */
const PUBLISH = `
local slot, key, bundle, mode = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local now, ttl, maxPerSlot = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local P, L = K('p', slot), K('k', slot)
if liveSlot(slot, now) and redis.call('HGET', P, 'k') ~= key then return {0, 'auth'} end
local kept = 0
if mode == 'append' then kept = redis.call('LLEN', L) end
if kept + (#ARGV - 8) > maxPerSlot then return {0, 'quota_exceeded'} end
if mode ~= 'append' then redis.call('DEL', L) end
redis.call('HSET', P, 'k', key, 'd', bundle, 'x', now + ttl)
for i = 9, #ARGV do redis.call('RPUSH', L, ARGV[i]) end
redis.call('PEXPIRE', P, ttl)
redis.call('PEXPIRE', L, ttl)
return {1, redis.call('LLEN', L)}
`;

/** ARGV: p, slot, now → {bundle, remaining} | nil */
const FETCH_PREKEYS = `
local slot, now = ARGV[2], tonumber(ARGV[3])
if not liveSlot(slot, now) then return false end
return {redis.call('HGET', K('p', slot), 'd'), redis.call('LLEN', K('k', slot))}
`;

/** ARGV: p, slot, now → {bundle[, prekey]} | nil. LPOP inside the script: the atomic claim. */
const CLAIM_PREKEY = `
local slot, now = ARGV[2], tonumber(ARGV[3])
if not liveSlot(slot, now) then return false end
local bundle = redis.call('HGET', K('p', slot), 'd')
local prekey = redis.call('LPOP', K('k', slot))
if prekey then return {bundle, prekey} end
return {bundle}
`;

/** ARGV: p, document key name, version, bytes → 0 | 1 (compare-and-set on the version) */
const OFFER_DOCUMENT = `
local key = p .. ARGV[2]
local held = redis.call('HGET', key, 'v')
if held and tonumber(held) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', key, 'v', ARGV[3], 'l', ARGV[4])
return 1
`;

/**
 * ARGV: p, id, record, now, ttl, size, maxBytes, bucket → 'stored' | 'taken' | 'store_full'.
 * A shared blob (relay.md §3.13) is `sb:<id>`, written with its PX in the same SET. The budget is
 * kept without naming any blob: `sbz` counts bytes per expiry second (`bucket`, rounded up, so
 * bytes are released at or after their blob's end) and in all (`n`); `sbe` orders those seconds.
 * Both expire with the last blob they count.
 */
const PUT_SHARED = `
local id, record, now, ttl = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local size, maxBytes, bucket = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local B, E, Z = p .. 'sb:' .. id, p .. 'sbe', p .. 'sbz'
if redis.call('EXISTS', B) == 1 then return 'taken' end
local ended = redis.call('ZRANGEBYSCORE', E, '-inf', now)
if #ended > 0 then
  local freed = 0
  for _, second in ipairs(ended) do
    freed = freed + tonumber(redis.call('HGET', Z, second) or '0')
    redis.call('HDEL', Z, second)
  end
  redis.call('ZREMRANGEBYSCORE', E, '-inf', now)
  redis.call('HINCRBY', Z, 'n', -freed)
end
if tonumber(redis.call('HGET', Z, 'n') or '0') + size > maxBytes then return 'store_full' end
redis.call('SET', B, record, 'PX', ttl)
redis.call('ZADD', E, bucket, bucket)
redis.call('HINCRBY', Z, bucket, size)
redis.call('HINCRBY', Z, 'n', size)
local last = tonumber(redis.call('ZRANGE', E, -1, -1, 'WITHSCORES')[2])
redis.call('PEXPIRE', E, last - now + 1)
redis.call('PEXPIRE', Z, last - now + 1)
return 'stored'
`;

export const REDIS_SCRIPTS = {
  relayCreate: PRELUDE + CREATE,
  relayRecipientKey: PRELUDE + RECIPIENT_KEY,
  relayPut: PRELUDE + PUT,
  relayPending: PRELUDE + PENDING,
  relayAck: PRELUDE + ACK,
  relayDelete: PRELUDE + DELETE,
  relayPublish: PRELUDE + SLOT_PRELUDE + PUBLISH,
  relayFetchPrekeys: PRELUDE + SLOT_PRELUDE + FETCH_PREKEYS,
  relayClaimPrekey: PRELUDE + SLOT_PRELUDE + CLAIM_PREKEY,
  relayOfferDocument: `local p = ARGV[1]\n${OFFER_DOCUMENT}`,
  relayPutShared: `local p = ARGV[1]\n${PUT_SHARED}`,
} as const;

export type RedisScriptName = keyof typeof REDIS_SCRIPTS;
