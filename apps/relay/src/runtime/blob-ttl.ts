import type { RelayConfig } from '../config/relay-config';

/** relay.md §8.2: a blob's TTL in seconds: 0 means the default; more than the ceiling is lowered to it. */
export function effectiveTtlSeconds(
  config: Pick<RelayConfig, 'RELAY_BLOB_TTL_SECONDS' | 'RELAY_BLOB_MAX_TTL_SECONDS'>,
  requested: number,
): number {
  const { RELAY_BLOB_TTL_SECONDS, RELAY_BLOB_MAX_TTL_SECONDS } = config;
  return Math.min(requested === 0 ? RELAY_BLOB_TTL_SECONDS : requested, RELAY_BLOB_MAX_TTL_SECONDS);
}
