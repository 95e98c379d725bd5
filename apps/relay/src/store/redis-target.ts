import { Redis, type RedisOptions } from 'ioredis';
import type { RelayConfig } from '../config/relay-config';

/**
 * Where the relay's Redis is (relay.md §9.1): one primary at a URL, or the primary a set of
 * sentinels names, followed through a failover. Either way a write may also wait for replicas.
 */
export interface RedisTarget {
  /** REDIS_URL: one primary (with replicas or not). */
  readonly url?: string;
  /** RELAY_REDIS_SENTINELS and RELAY_REDIS_SENTINEL_NAME, with their passwords. */
  readonly sentinel?: {
    readonly sentinels: readonly { readonly host: string; readonly port: number }[];
    readonly name: string;
    readonly password?: string | undefined;
    readonly sentinelPassword?: string | undefined;
  };
  /** RELAY_REDIS_MIN_REPLICAS: a write counts as done once this many replicas hold it. */
  readonly minReplicas: number;
}

/** The relay's Redis, or undefined for the memory store. */
export function redisTargetOf(config: RelayConfig): RedisTarget | undefined {
  if (config.RELAY_STORE !== 'redis') return undefined;
  if (config.RELAY_REDIS_SENTINELS !== undefined && config.RELAY_REDIS_SENTINEL_NAME !== undefined) {
    return {
      sentinel: {
        sentinels: config.RELAY_REDIS_SENTINELS.map(hostPort),
        name: config.RELAY_REDIS_SENTINEL_NAME,
        password: config.RELAY_REDIS_PASSWORD,
        sentinelPassword: config.RELAY_REDIS_SENTINEL_PASSWORD,
      },
      minReplicas: config.RELAY_REDIS_MIN_REPLICAS,
    };
  }
  return config.REDIS_URL === undefined
    ? undefined
    : { url: config.REDIS_URL, minReplicas: config.RELAY_REDIS_MIN_REPLICAS };
}

/** A target given as a URL alone (tests, tools): one primary, no replica wait. */
export function asRedisTarget(target: RedisTarget | string): RedisTarget {
  return typeof target === 'string' ? { url: target, minReplicas: 0 } : target;
}

/** A client for the target, with the caller's options on top; through sentinels, always the primary. */
export function newRedis(target: RedisTarget, options: RedisOptions = {}): Redis {
  if (target.sentinel) {
    return new Redis({
      ...options,
      sentinels: target.sentinel.sentinels.map((sentinel) => ({ ...sentinel })),
      name: target.sentinel.name,
      role: 'master',
      password: target.sentinel.password,
      sentinelPassword: target.sentinel.sentinelPassword,
    });
  }
  return new Redis(target.url as string, options);
}

/** QUIT (the replies still due arrive first); disconnect only when QUIT cannot be sent. */
export async function closeRedis(redis: Redis): Promise<void> {
  await redis.quit().catch(() => redis.disconnect());
}

function hostPort(entry: string): { host: string; port: number } {
  const at = entry.lastIndexOf(':');
  return { host: entry.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(entry.slice(at + 1)) };
}
