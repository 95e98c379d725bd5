import type { Redis } from 'ioredis';
import { StoreUnavailableError } from './relay-store';
import { asRedisTarget, newRedis, type RedisTarget } from './redis-target';

/**
 * One Redis connection with its Lua scripts defined, as every Redis-backed part of the relay opens
 * it (the queue store, the attachment index): fails fast with StoreUnavailableError when Redis
 * cannot be reached at start, reconnects later on its own, and never queues commands while Redis
 * is away. `failure` words the start-up error (a connection error may name the host). Through
 * sentinels it is always the primary's connection, and follows a failover (relay.md §9.1).
 */
export async function connectScriptedRedis(
  target: RedisTarget | string,
  scripts: Readonly<Record<string, string>>,
  failure: (error: unknown) => string,
): Promise<Redis> {
  let connected = false;
  const redis = newRedis(asRedisTarget(target), {
    lazyConnect: true,
    // Commands issued in the same tick share one write: many clients' puts, one syscall.
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    // While Redis is away, commands fail at once (`unavailable`, 503) instead of queueing without bound.
    enableOfflineQueue: false,
    connectTimeout: 5_000,
    disconnectTimeout: 200,
    // Reconnect after a lost connection, but give up at once on a first connection that fails.
    retryStrategy: (times) => (connected ? Math.min(times * 200, 2_000) : null),
  });
  // Connection errors surface as StoreUnavailableError on each command; never as a crash.
  redis.on('error', () => undefined);
  for (const [name, lua] of Object.entries(scripts)) redis.defineCommand(name, { lua, numberOfKeys: 0 });
  try {
    await redis.connect();
    connected = true;
  } catch (error) {
    redis.disconnect();
    throw new StoreUnavailableError(failure(error));
  }
  return redis;
}
