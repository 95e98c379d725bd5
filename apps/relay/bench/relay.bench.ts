/**
 * `npm run bench:relay` (issue 4, "Performance"): put-to-delivery of 1 KiB blobs with 200
 * connected clients over loopback, for the memory store, the Redis store and a bare socket.io
 * forwarder measured in the same run. Writes bench-results/relay.{json,md}. Not part of npm test.
 *
 * Each client owns one queue and sends to the next client's queue. Throughput: a closed loop with
 * a window of blobs in flight per sender, counting blobs delivered and acknowledged (acks batched
 * up to 64 ids, as a client would, and unsigned once the subscription proved the queue key, as a
 * client would: relay.md §6.3). Latency: an open loop at half the sustained rate, from the
 * sender's emit to the recipient's `deliver`. Memory: server RSS growth per idle authenticated
 * connection at 5,000 connections. Access (relay.md §3.2): every relay connection redeems a Privacy
 * Pass token minted by a test issuer; the bench measures connections per second (connect,
 * challenge and hello) and, in its own process, the cost of one AccessTokenVerifier.verify beside
 * one Ed25519 verify (what a signed queue command costs the relay).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
// The bench plays the organisation and the devices, which hold private keys; the relay's own
// sources never import @opendescent/crypto.
import { generateEd25519KeyPair, type Ed25519KeyPair } from '@opendescent/crypto';
import { encodePut, relayOriginOf } from '@opendescent/protocol';
import { RelayConnection, ack, createQueue, subscribe } from '@opendescent/relay-client';
import { TestTokenIssuer } from '@opendescent/protocol/testing';
import type { CpuShares } from './cpu-profile-summary';
import { writeReport, type Mode, type Result } from './relay-report';
import { verifyCost } from './token-verify-cost';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 200);
const IDLE_CONNECTIONS = Number(process.env.BENCH_IDLE_CONNECTIONS ?? 5000);
const RATE_CONNECTIONS = Number(process.env.BENCH_RATE_CONNECTIONS ?? 2000);
const RATE_IN_FLIGHT = 100;
const VERIFY_ROUNDS = Number(process.env.BENCH_VERIFY_ROUNDS ?? 2000);
const WINDOW = 8;
const WARMUP_MS = 1_500;
const MEASURE_MS = Number(process.env.BENCH_SECONDS ?? 5) * 1000;
const BLOB_BYTES = 1024;
const ACK_BATCH = 64;
const ACK_DELAY_MS = 20;
const SIGNED_ACKS = process.env.BENCH_SIGNED_ACKS === '1';
const PROFILE = process.env.BENCH_PROFILE === '1';
const root = path.resolve(__dirname, '../../..');
const redisPrefix = `odr-bench:${process.pid}:`;

/** The Redis run leaves its queues behind; the bench removes them. */
async function deleteBenchKeys(): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

interface Org {
  orgId: Uint8Array;
  key: Ed25519KeyPair;
  /** Mints the access tokens every relay connection redeems (relay.md §3.2). */
  issuer: TestTokenIssuer;
  /** The signed token key set pushed to each relay server (POST /token-keys, as the admin app does). */
  keySet: Uint8Array;
}

// ── the server process ────────────────────────────────────────────────────────────────────

interface ServerProcess {
  url: string;
  rss(): Promise<number>;
  cpuMicros(): Promise<number>;
  /** A CPU profile of the server while `during` runs, summarised (cpu-profile-summary.ts). */
  profile(during: () => Promise<unknown>): Promise<CpuShares>;
  stop(): Promise<void>;
}

async function startServer(mode: Mode, org: Org): Promise<ServerProcess> {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--expose-gc', '-r', './register.cjs', 'bench/bench-server.ts', mode],
    {
      cwd: path.join(root, 'apps/relay'),
      env: {
        ...process.env,
        BENCH_REDIS_PREFIX: redisPrefix,
        BENCH_ORG_ID: Buffer.from(org.orgId).toString('hex'),
        BENCH_ORG_KEY: Buffer.from(org.key.publicKey).toString('hex'),
      },
    },
  );
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(`[${mode} server] ${chunk}`));
  const lines = createInterface({ input: child.stdout });
  const waiters: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiters.shift()?.(line));
  const next = () => new Promise<string>((resolve) => waiters.push(resolve));
  let line = await next();
  while (!line.startsWith('ready ')) line = await next();
  const url = line.slice('ready '.length);
  if (mode !== 'bare') {
    const pushed = await fetch(`${url}/token-keys`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: Buffer.from(org.keySet),
    });
    if (pushed.status !== 200) throw new Error(`the ${mode} server refused the token key set: HTTP ${pushed.status}`);
  }
  return {
    url,
    async rss() {
      child.stdin.write('rss\n');
      let reply = await next();
      while (!reply.startsWith('rss ')) reply = await next();
      return Number(reply.slice(4));
    },
    async cpuMicros() {
      child.stdin.write('cpu\n');
      let reply = await next();
      while (!reply.startsWith('cpu ')) reply = await next();
      return Number(reply.slice(4));
    },
    async profile(during: () => Promise<unknown>) {
      child.stdin.write('profile-start\n');
      while ((await next()) !== 'profiling');
      await during();
      child.stdin.write('profile-stop\n');
      let reply = await next();
      while (!reply.startsWith('profile ')) reply = await next();
      return JSON.parse(reply.slice('profile '.length)) as CpuShares;
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

// ── clients ───────────────────────────────────────────────────────────────────────────────

interface BenchClient {
  socket: Socket;
  /** The address others send to: the socket id (bare) or the queue's sender id (relay). */
  address: string | Uint8Array;
  send(to: BenchClient, blob: Uint8Array): void;
  onBlob: (blob: Uint8Array) => void;
  close(): void;
}

async function bareClient(url: string): Promise<BenchClient> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const client: BenchClient = {
    socket,
    address: socket.id as string,
    send: (to, blob) => socket.emit('msg', to.address, blob),
    onBlob: () => undefined,
    close: () => socket.close(),
  };
  let pending: number[] = [];
  socket.on('msg', (payload: ArrayBuffer) => {
    client.onBlob(new Uint8Array(payload));
    pending.push(1);
    if (pending.length >= ACK_BATCH) {
      socket.emit('ack', pending.length);
      pending = [];
    }
  });
  return client;
}

let requestIds = 0;

/** Connects (libs/relay-client, unpaced: the bench drives the relay as hard as it takes) and redeems one token. */
async function helloConnection(url: string, token: Uint8Array): Promise<RelayConnection> {
  const connection = await RelayConnection.open(url, { pace: false, requestTimeoutMs: 30_000 });
  await connection.hello(token);
  return connection;
}

async function relayClient(url: string, org: Org, counters: { acked: number }): Promise<BenchClient> {
  const connection = await helloConnection(url, await org.issuer.mint(relayOriginOf(url)));
  const { socket } = connection;
  const queueKey = await generateEd25519KeyPair();
  const { recipientId, senderId } = await createQueue(connection, queueKey);
  await subscribe(connection, recipientId, queueKey);
  if (SIGNED_ACKS) connection.forgetProof(recipientId);

  const toAck: Uint8Array[] = [];
  let flushing = false;
  const flush = async () => {
    if (flushing || toAck.length === 0) return;
    flushing = true;
    while (toAck.length > 0) {
      const batch = toAck.splice(0, ACK_BATCH);
      // The subscribe above proved the queue key on this connection: acks go unsigned (relay.md §6.3).
      // BENCH_SIGNED_ACKS=1 measures a client that signs every ack anyway (the relay verifies each).
      try {
        await ack(connection, recipientId, queueKey, batch);
        counters.acked += batch.length;
      } catch {
        // counted as not acknowledged
      }
      if (SIGNED_ACKS) connection.forgetProof(recipientId);
    }
    flushing = false;
  };
  const client: BenchClient = {
    socket,
    address: senderId,
    // Fire and forget (the relay answers with a `reply` event): the bench measures the relay, not request bookkeeping.
    send: (to, blob) =>
      socket.emit('put', encodePut({ requestId: ++requestIds, senderId: to.address as Uint8Array, blob })),
    onBlob: () => undefined,
    close: () => connection.close(),
  };
  connection.onDeliver((delivery) => {
    toAck.push(delivery.messageId);
    client.onBlob(delivery.blob);
    // Acks go in batches, as a client would send them: when 64 wait, or 20 ms after the first.
    if (toAck.length >= ACK_BATCH) void flush();
    else if (toAck.length === 1) setTimeout(() => void flush(), ACK_DELAY_MS);
  });
  return client;
}

// ── measurements ──────────────────────────────────────────────────────────────────────────

function blobFor(sender: number, sentAt: number): Uint8Array {
  const blob = new Uint8Array(BLOB_BYTES);
  const view = new DataView(blob.buffer);
  view.setUint32(0, sender);
  view.setFloat64(4, sentAt);
  return blob;
}

interface Sustained {
  perSecond: number;
  /** Share of one core used by the server and by the clients' process while measuring. */
  serverCpu: number;
  clientCpu: number;
}

async function throughput(
  clients: BenchClient[],
  counters: { acked: number },
  mode: Mode,
  server: ServerProcess,
): Promise<Sustained> {
  let delivered = 0;
  let running = true;
  const sendNext = (i: number) => {
    if (!running) return;
    const from = clients[i] as BenchClient;
    from.send(clients[(i + 1) % clients.length] as BenchClient, blobFor(i, performance.now()));
  };
  for (const client of clients) {
    client.onBlob = (blob) => {
      delivered++;
      sendNext(new DataView(blob.buffer, blob.byteOffset).getUint32(0));
    };
  }
  for (let i = 0; i < clients.length; i++) for (let w = 0; w < WINDOW; w++) sendNext(i);
  await sleep(WARMUP_MS);
  const serverCpuBefore = await server.cpuMicros();
  const clientCpuBefore = process.cpuUsage();
  const start = { delivered, acked: counters.acked, at: performance.now() };
  await sleep(MEASURE_MS);
  const seconds = (performance.now() - start.at) / 1000;
  const end = { delivered, acked: counters.acked };
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const serverCpu = (await server.cpuMicros()) - serverCpuBefore;
  running = false;
  await sleep(500);
  // The bare forwarder has no store to acknowledge to: delivered is its count.
  const count = mode === 'bare' ? end.delivered - start.delivered : end.acked - start.acked;
  return {
    perSecond: count / seconds,
    serverCpu: serverCpu / 1e6 / seconds,
    clientCpu: (clientCpu.user + clientCpu.system) / 1e6 / seconds,
  };
}

async function latency(
  clients: BenchClient[],
  rate: number,
): Promise<{ p50: number; p99: number; sent: number; received: number }> {
  const samples: number[] = [];
  for (const client of clients) {
    client.onBlob = (blob) =>
      samples.push(performance.now() - new DataView(blob.buffer, blob.byteOffset).getFloat64(4));
  }
  const perClientInterval = (clients.length / rate) * 1000;
  let sent = 0;
  const timers = clients.map((client, i) =>
    setTimeout(() => {
      timers[i] = setInterval(() => {
        client.send(clients[(i + 1) % clients.length] as BenchClient, blobFor(i, performance.now()));
        sent++;
      }, perClientInterval);
    }, Math.random() * perClientInterval),
  );
  await sleep(WARMUP_MS);
  samples.length = 0;
  sent = 0;
  await sleep(MEASURE_MS);
  for (const timer of timers) clearInterval(timer);
  const received = samples.length;
  await sleep(500);
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), sent, received };
}

async function idleMemory(mode: Mode, server: ServerProcess, org: Org): Promise<number> {
  const before = await server.rss();
  const sockets: Socket[] = [];
  const counters = { acked: 0 };
  for (let i = 0; i < IDLE_CONNECTIONS; i += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, IDLE_CONNECTIONS - i) }, async () => {
        if (mode === 'bare') return (await bareClient(server.url)).socket;
        return (await relayClient(server.url, org, counters)).socket;
      }),
    );
    sockets.push(...batch);
  }
  await sleep(1000);
  const after = await server.rss();
  for (const socket of sockets) socket.close();
  return (after - before) / IDLE_CONNECTIONS;
}

/** Connections per second, each one connect, challenge and hello with a token minted beforehand (minting is the client's cost, not the relay's). */
async function connectionRate(server: ServerProcess, org: Org): Promise<number> {
  const origin = relayOriginOf(server.url);
  const tokens = await Promise.all(Array.from({ length: RATE_CONNECTIONS }, () => org.issuer.mint(origin)));
  const sockets: Socket[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: RATE_IN_FLIGHT }, async () => {
      while (next < tokens.length) {
        const token = tokens[next++] as Uint8Array;
        sockets.push((await helloConnection(server.url, token)).socket);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const socket of sockets) socket.close();
  await sleep(300);
  return RATE_CONNECTIONS / seconds;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(mode: Mode, org: Org): Promise<Result> {
  const server = await startServer(mode, org);
  try {
    const counters = { acked: 0 };
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, () =>
        mode === 'bare' ? bareClient(server.url) : relayClient(server.url, org, counters),
      ),
    );
    const measured = await throughput(clients, counters, mode, server);
    const sustained = measured.perSecond;
    // Profiled in a second throughput phase, so the profiler's own cost never touches the figures above.
    const cpuShares = PROFILE ? await server.profile(() => throughput(clients, counters, mode, server)) : undefined;
    const half = Math.max(1, Math.round(sustained / 2));
    const { p50, p99 } = await latency(clients, half);
    for (const client of clients) client.close();
    await sleep(300);
    const result: Result = {
      mode,
      throughput: sustained,
      serverCpu: measured.serverCpu,
      clientCpu: measured.clientCpu,
      p50,
      p99,
      latencyRate: half,
      ...(cpuShares ? { cpuShares } : {}),
    };
    if (mode !== 'bare' && RATE_CONNECTIONS > 0) result.connectionsPerSecond = await connectionRate(server, org);
    if (mode !== 'redis' && IDLE_CONNECTIONS > 0) {
      // A fresh server: one that has just carried load has heap to spare, which would hide the cost.
      const fresh = await startServer(mode, org);
      try {
        result.idleBytesPerConnection = await idleMemory(mode, fresh, org);
      } finally {
        await fresh.stop();
      }
    }
    console.log(
      `${mode}: ${Math.round(sustained)} blobs/s (server ${(measured.serverCpu * 100).toFixed(0)}% of a core, clients ${(measured.clientCpu * 100).toFixed(0)}%); at ${half}/s p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms${result.idleBytesPerConnection ? `; ${(result.idleBytesPerConnection / 1024).toFixed(1)} KiB per idle connection` : ''}${result.connectionsPerSecond ? `; ${Math.round(result.connectionsPerSecond)} connections/s with hello` : ''}`,
    );
    return result;
  } finally {
    await server.stop();
    if (mode === 'redis') await deleteBenchKeys();
  }
}

async function main(): Promise<void> {
  const orgId = crypto.getRandomValues(new Uint8Array(16));
  const key = await generateEd25519KeyPair();
  const issuer = await TestTokenIssuer.create(orgId, key);
  const org: Org = { orgId, key, issuer, keySet: await issuer.keySet() };
  const modes = (process.env.BENCH_MODES ?? 'bare,memory,redis').split(',') as Mode[];
  const verify = await verifyCost(org.orgId, org.key, org.issuer, VERIFY_ROUNDS);
  console.log(
    `token verify: ${verify.tokenVerifyMicros.toFixed(0)} µs (Ed25519 verify: ${verify.ed25519VerifyMicros.toFixed(0)} µs)`,
  );
  const results: Result[] = [];
  for (const mode of modes) results.push(await run(mode, org));
  const markdown = writeReport(root, results, verify, {
    clients: CLIENTS,
    window: WINDOW,
    ackBatch: ACK_BATCH,
    ackDelayMs: ACK_DELAY_MS,
    signedAcks: SIGNED_ACKS,
    measureSeconds: MEASURE_MS / 1000,
    verifyRounds: VERIFY_ROUNDS,
    rateConnections: RATE_CONNECTIONS,
    rateInFlight: RATE_IN_FLIGHT,
  });
  console.log(`\n${markdown}`);
  process.exit(0);
}

void main();
