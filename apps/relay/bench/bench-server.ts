/**
 * One server for `npm run bench:relay`, in its own process so its CPU and RSS are its own:
 *   bare    a bare socket.io forwarder (no framework, no store): io.to(id).emit
 *   memory  the relay with the in-memory store
 *   redis   the relay with the Redis store and the socket.io Redis adapter
 * Prints `ready <url>` when listening; answers `rss` (resident set size) and `cpu` (CPU time used,
 * in microseconds) on stdin, and `profile-start` / `profile-stop` (a CPU profile of what ran in
 * between, summarised: cpu-profile-summary.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { Server } from 'socket.io';
import { startRelay } from '../src/bootstrap';
import { loadRelayConfig } from '../src/config/relay-config';
import { startCpuProfile, type CpuShares } from './cpu-profile-summary';

async function bare(): Promise<string> {
  const http = createServer();
  const io = new Server(http, { maxHttpBufferSize: 262_144, serveClient: false });
  io.on('connection', (socket) => {
    socket.on('msg', (to: string, payload: Buffer) => io.to(to).emit('msg', payload));
    socket.on('ack', () => undefined);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

async function relay(store: 'memory' | 'redis'): Promise<string> {
  const config = loadRelayConfig({
    RELAY_PORT: '0',
    RELAY_LOG_LEVEL: 'warn',
    RELAY_STORE: store,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    RELAY_REDIS_PREFIX: process.env.BENCH_REDIS_PREFIX ?? `odr-bench:${process.pid}:`,
    RELAY_ORG_ID: process.env.BENCH_ORG_ID,
    RELAY_ORG_PUBLIC_KEYS: process.env.BENCH_ORG_KEY,
    RELAY_RATE_PER_SECOND: '1000000',
    RELAY_RATE_BURST: '1000000',
    RELAY_HELLO_TIMEOUT_SECONDS: '600',
    RELAY_MEMORY_MAX_BYTES: String(4 * 1024 ** 3),
  });
  return (await startRelay(config)).url;
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  const url = mode === 'bare' ? await bare() : await relay(mode === 'redis' ? 'redis' : 'memory');
  let stopProfile: (() => Promise<CpuShares>) | undefined;
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'profile-start')
      void startCpuProfile().then((stop) => ((stopProfile = stop), console.log('profiling')));
    if (line === 'profile-stop' && stopProfile)
      void stopProfile().then((shares) => console.log(`profile ${JSON.stringify(shares)}`));
    if (line === 'cpu') {
      const { user, system } = process.cpuUsage();
      console.log(`cpu ${user + system}`);
    }
    if (line === 'rss') {
      global.gc?.();
      console.log(`rss ${process.memoryUsage().rss}`);
    }
  });
  console.log(`ready ${url}`);
}

void main();
