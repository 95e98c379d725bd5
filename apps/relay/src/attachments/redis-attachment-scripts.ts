/**
 * The Redis attachment index's commands as Lua scripts (relay.md §3.15, §9): each is one atomic
 * step across every relay node, as each method of the memory index is one synchronous step.
 * ARGV[1] is always the key prefix (RELAY_REDIS_PREFIX); ids travel as lower-case hex.
 *
 * Keys (`{…}` hash tags keep one attachment's keys in one slot):
 * - `at:{id}` hash: `v` record version (1), `u` upload hash, `l` length, `r` received, `c`
 *   complete (0/1), `f` fetches remaining, `x` expires at (ms), `z` bytes reserved (length + the
 *   per-record reserve), `b` the budget second it is counted in, `w` the writer's claim, ending
 *   at that time (ms), absent when nobody writes;
 * - `au:<upload hash>` → attachment id;
 * - `an:{id}` set of the fetch nonces counted;
 * - `atx` sorted set of attachment ids by expiry: what the sweep deletes bytes for. It holds ids
 *   only, which the bytes store names anyway (file or object names);
 * - `atz` hash of bytes reserved per expiry second (rounded up) and in all (`n`), `ate` sorted set
 *   of those seconds: the budget, kept without an id, released as its seconds pass even if nobody
 *   sweeps (as `sbz`/`sbe` for shared blobs, redis-scripts.ts).
 * Every key carries a native expiry: a record's keys at its expiry, the budget keys at the last
 * second they count, `atx` a grace period after its last id (so a sweep that comes late still
 * finds the bytes to delete).
 */
const PRELUDE = `
local p = ARGV[1]
local X, Z, E = p .. 'atx', p .. 'atz', p .. 'ate'
local function R(id) return p .. 'at:{' .. id .. '}' end
local function N(id) return p .. 'an:{' .. id .. '}' end
local function U(hash) return p .. 'au:' .. hash end
-- Releases the reservations of every second that has passed.
local function releaseEnded(now)
  local ended = redis.call('ZRANGEBYSCORE', E, '-inf', now)
  if #ended == 0 then return end
  local freed = 0
  for _, second in ipairs(ended) do
    freed = freed + tonumber(redis.call('HGET', Z, second) or '0')
    redis.call('HDEL', Z, second)
  end
  redis.call('ZREMRANGEBYSCORE', E, '-inf', now)
  redis.call('HINCRBY', Z, 'n', -freed)
end
-- Gives back one record's reservation, unless its second has already been released.
local function unreserve(second, bytes)
  if not second or not redis.call('ZSCORE', E, second) then return end
  redis.call('HINCRBY', Z, 'n', -bytes)
  if redis.call('HINCRBY', Z, second, -bytes) <= 0 then
    redis.call('HDEL', Z, second)
    redis.call('ZREM', E, second)
  end
end
-- Removes a record and every key naming it; the record may already have expired natively.
local function destroy(id)
  local u, b, z = unpack(redis.call('HMGET', R(id), 'u', 'b', 'z'))
  if u and redis.call('GET', U(u)) == id then redis.call('DEL', U(u)) end
  if z then unreserve(b, tonumber(z)) end
  redis.call('DEL', R(id), N(id))
  redis.call('ZREM', X, id)
end
-- The record's fields when it is live at now (a record of another version is never read).
local function live(id, now)
  if not id then return nil end
  local f = redis.call('HMGET', R(id), 'v', 'l', 'r', 'c', 'f', 'x', 'w')
  if f[1] ~= '1' or tonumber(f[6]) <= now then return nil end
  return f
end
local function record(id, f) return {id, f[2], f[3], f[4], f[5], f[6]} end
`;

/** ARGV: p, id, hash, length, fetches, expiresAt, now, maxBytes, reserve, second, graceMs → 'created' | 'collision' | 'store_full' */
const CREATE = `
local id, hash, length, fetches = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local expiresAt, now, maxBytes = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local reserve, second, grace = length + tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
-- An id still in the sweep list may still name bytes: it is held until the sweep deletes them.
if redis.call('EXISTS', R(id), U(hash)) > 0 or redis.call('ZSCORE', X, id) then return 'collision' end
releaseEnded(now)
if tonumber(redis.call('HGET', Z, 'n') or '0') + reserve > maxBytes then return 'store_full' end
local ttl = math.max(1, expiresAt - now)
redis.call('HSET', R(id), 'v', 1, 'u', hash, 'l', length, 'r', 0, 'c', 0, 'f', fetches, 'x', expiresAt,
  'z', reserve, 'b', second)
redis.call('PEXPIRE', R(id), ttl)
redis.call('SET', U(hash), id, 'PX', ttl)
redis.call('ZADD', X, expiresAt, id)
redis.call('ZADD', E, second, second)
redis.call('HINCRBY', Z, second, reserve)
redis.call('HINCRBY', Z, 'n', reserve)
local lastSecond = tonumber(redis.call('ZRANGE', E, -1, -1, 'WITHSCORES')[2])
redis.call('PEXPIRE', E, math.max(1, lastSecond - now + 1))
redis.call('PEXPIRE', Z, math.max(1, lastSecond - now + 1))
local lastExpiry = tonumber(redis.call('ZRANGE', X, -1, -1, 'WITHSCORES')[2])
redis.call('PEXPIRE', X, math.max(1, lastExpiry - now) + grace)
return 'created'
`;

/** ARGV: p, hash, now → record | nil */
const BY_UPLOAD = `
local id = redis.call('GET', U(ARGV[2]))
local f = live(id, tonumber(ARGV[3]))
if not f then return false end
return record(id, f)
`;

/** ARGV: p, id, now → record | nil */
const BY_ATTACHMENT = `
local id = ARGV[2]
local f = live(id, tonumber(ARGV[3]))
if not f then return false end
return record(id, f)
`;

/** ARGV: p, hash, offset, now, claimMs → {'ok', record…} | {'busy' | 'offset', received} | 'unknown' */
const CLAIM_WRITE = `
local offset, now, claimMs = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local id = redis.call('GET', U(ARGV[2]))
local f = live(id, now)
if not f then return 'unknown' end
-- A claim past its end belonged to a PATCH that died with its node: it no longer holds.
if f[7] and tonumber(f[7]) > now then return {'busy', f[3]} end
if offset ~= tonumber(f[3]) then return {'offset', f[3]} end
redis.call('HSET', R(id), 'w', now + claimMs)
return {'ok', unpack(record(id, f))}
`;

/** ARGV: p, id, received, now → record | 'gone' | 'range' */
const RELEASE_WRITE = `
local id, received, now = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if redis.call('EXISTS', R(id)) == 0 then return 'gone' end
redis.call('HDEL', R(id), 'w')
local f = live(id, now)
if not f then return 'gone' end
if received < tonumber(f[3]) or received > tonumber(f[2]) then return 'range' end
local complete = 0
if received == tonumber(f[2]) then complete = 1 end
redis.call('HSET', R(id), 'r', received, 'c', complete)
return record(id, live(id, now))
`;

/** ARGV: p, id, nonce, now → 'counted' | 'repeated' | 'last' | 'unknown' */
const FETCHED = `
local id, nonce, now = ARGV[2], ARGV[3], tonumber(ARGV[4])
local f = live(id, now)
if not f or f[4] ~= '1' then return 'unknown' end
if redis.call('SISMEMBER', N(id), nonce) == 1 then return 'repeated' end
if redis.call('HINCRBY', R(id), 'f', -1) > 0 then
  redis.call('SADD', N(id), nonce)
  redis.call('PEXPIRE', N(id), math.max(1, tonumber(f[6]) - now))
  return 'counted'
end
destroy(id)
return 'last'
`;

/** ARGV: p, now, limit → ids of the expired records removed (at most limit) */
const SWEEP = `
local now, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
releaseEnded(now)
local ids = redis.call('ZRANGEBYSCORE', X, '-inf', now, 'LIMIT', 0, limit)
for _, id in ipairs(ids) do destroy(id) end
return ids
`;

/** ARGV: p, id → 1 when a record (live, or expired and not yet swept) was removed, else 0 */
const REMOVE = `
local id = ARGV[2]
local held = redis.call('EXISTS', R(id)) == 1 or redis.call('ZSCORE', X, id)
destroy(id)
if held then return 1 end
return 0
`;

/** ARGV: p, id → 1 when a record, live or not yet swept, names these bytes */
const KNOWS = `
local id = ARGV[2]
if redis.call('EXISTS', R(id)) == 1 or redis.call('ZSCORE', X, id) then return 1 end
return 0
`;

export const REDIS_ATTACHMENT_SCRIPTS = {
  attachCreate: PRELUDE + CREATE,
  attachByUpload: PRELUDE + BY_UPLOAD,
  attachByAttachment: PRELUDE + BY_ATTACHMENT,
  attachClaimWrite: PRELUDE + CLAIM_WRITE,
  attachReleaseWrite: PRELUDE + RELEASE_WRITE,
  attachFetched: PRELUDE + FETCHED,
  attachSweep: PRELUDE + SWEEP,
  attachRemove: PRELUDE + REMOVE,
  attachKnows: PRELUDE + KNOWS,
} as const;

export type RedisAttachmentScriptName = keyof typeof REDIS_ATTACHMENT_SCRIPTS;
