/**
 * One relay node of `npm run soak`, in its own process so the soak can SIGTERM or SIGKILL it and
 * read its own RSS and CPU. The production code path: startRelay on the Redis store, following
 * the primary three sentinels name (relay.md §9.1), writes confirmed by SOAK_MIN_REPLICAS
 * replicas, the token key set read from the organisation's URL, default rate limits (§8.3).
 *
 * Prints `ready <url>` on stdout once listening; answers `mem` (a full GC first, then RSS and
 * heap used, in bytes), `rss` (the same without the GC) and `cpu` (CPU time used, in
 * microseconds) on stdin. Its JSON log lines go
 * to stderr, where the soak counts them by level and event.
 */
import { createInterface } from 'node:readline';
import pino from 'pino';
import { startRelay } from '../src/bootstrap';
import { loadRelayConfig } from '../src/config/relay-config';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const config = loadRelayConfig({
    RELAY_PORT: required('SOAK_PORT'),
    RELAY_LOG_LEVEL: 'warn',
    RELAY_STORE: 'redis',
    RELAY_REDIS_SENTINELS: required('SOAK_SENTINELS'),
    RELAY_REDIS_SENTINEL_NAME: required('SOAK_SENTINEL_NAME'),
    RELAY_REDIS_MIN_REPLICAS: process.env.SOAK_MIN_REPLICAS ?? '1',
    RELAY_REDIS_PREFIX: required('SOAK_REDIS_PREFIX'),
    RELAY_ORG_ID: required('SOAK_ORG_ID'),
    RELAY_ORG_PUBLIC_KEYS: required('SOAK_ORG_KEY'),
    RELAY_TOKEN_KEYS_URL: required('SOAK_TOKEN_KEYS_URL'),
  });
  const { url } = await startRelay(config, { logDestination: pino.destination(2) });
  const commands = createInterface({ input: process.stdin });
  // The soak that started this node is gone (it crashed, or was killed): so is the node.
  commands.on('close', () => process.exit(0));
  commands.on('line', (line) => {
    if (line === 'cpu') {
      const { user, system } = process.cpuUsage();
      console.log(`cpu ${user + system}`);
    }
    // `mem` collects first (what is live); `rss` does not (no pause while latency is measured).
    if (line === 'mem' || line === 'rss') {
      if (line === 'mem') global.gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      console.log(`${line} ${rss} ${heapUsed}`);
    }
  });
  console.log(`ready ${url}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
