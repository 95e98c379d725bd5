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
 * connection at 5,000 connections.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
// The bench plays the organisation and the devices, which hold private keys; the relay's own
// sources never import @opendescent/crypto.
import { generateEd25519KeyPair, type Ed25519KeyPair } from '@opendescent/crypto';
import {
  decodeChallenge,
  decodeDeliver,
  decodeRelayReply,
  encodeAck,
  encodeCreate,
  encodeHello,
  encodePut,
  encodeSubscribe,
  PROVEN_ON_THIS_CONNECTION,
  signAttestation,
} from '@opendescent/protocol';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 200);
const IDLE_CONNECTIONS = Number(process.env.BENCH_IDLE_CONNECTIONS ?? 5000);
const WINDOW = 8;
const WARMUP_MS = 1_500;
const MEASURE_MS = Number(process.env.BENCH_SECONDS ?? 5) * 1000;
const BLOB_BYTES = 1024;
const ACK_BATCH = 64;
const ACK_DELAY_MS = 20;
const SIGNED_ACKS = process.env.BENCH_SIGNED_ACKS === '1';
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

type Mode = 'bare' | 'memory' | 'redis';

interface Org {
  orgId: Uint8Array;
  key: Ed25519KeyPair;
}

// ── the server process ────────────────────────────────────────────────────────────────────

interface ServerProcess {
  url: string;
  rss(): Promise<number>;
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

async function startServer(mode: Mode, org: Org): Promise<ServerProcess> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []), '--expose-gc', '-r', './register.cjs', 'bench/bench-server.ts', mode], {
    cwd: path.join(root, 'apps/relay'),
    env: { ...process.env, BENCH_REDIS_PREFIX: redisPrefix, BENCH_ORG_ID: Buffer.from(org.orgId).toString('hex'), BENCH_ORG_KEY: Buffer.from(org.key.publicKey).toString('hex') },
  });
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(`[${mode} server] ${chunk}`));
  const lines = createInterface({ input: child.stdout });
  const waiters: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiters.shift()?.(line));
  const next = () => new Promise<string>((resolve) => waiters.push(resolve));
  let line = await next();
  while (!line.startsWith('ready ')) line = await next();
  return {
    url: line.slice('ready '.length),
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

function connectSocket(url: string): Promise<{ socket: Socket; challenge: Uint8Array }> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect_error', reject);
    socket.once('challenge', (frame: ArrayBuffer) => resolve({ socket, challenge: decodeChallenge(frame).challenge }));
  });
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

async function relayClient(url: string, org: Org, counters: { acked: number }): Promise<BenchClient> {
  const device = await generateEd25519KeyPair();
  const attestation = await signAttestation(
    {
      orgId: org.orgId,
      deviceId: crypto.getRandomValues(new Uint8Array(16)),
      userAddress: 'bench@ministry.example',
      displayName: 'Bench',
      signingKey: device.publicKey,
      agreementKey: new Uint8Array(32).fill(1),
      issuedAt: Math.floor(Date.now() / 1000) - 60,
      expiresAt: Math.floor(Date.now() / 1000) + 24 * 3600,
    },
    org.key.privateKey,
  );
  const { socket, challenge } = await connectSocket(url);
  const ask = async (event: string, frame: Uint8Array) => decodeRelayReply(await socket.timeout(30_000).emitWithAck(event, frame));
  if (!(await ask('hello', await encodeHello({ requestId: ++requestIds, attestation }, challenge, device.privateKey))).ok) throw new Error('hello refused');
  const queueKey = await generateEd25519KeyPair();
  const signer = { challenge: challenge, key: queueKey.privateKey };
  const created = await ask('create', await encodeCreate({ requestId: ++requestIds }, signer));
  if (!created.ok || created.command !== 'create') throw new Error('create refused');
  const { recipientId, senderId } = created;
  if (!(await ask('subscribe', await encodeSubscribe({ requestId: ++requestIds, recipientId }, signer))).ok) throw new Error('subscribe refused');

  const toAck: Uint8Array[] = [];
  let flushing = false;
  const flush = async () => {
    if (flushing || toAck.length === 0) return;
    flushing = true;
    while (toAck.length > 0) {
      const batch = toAck.splice(0, ACK_BATCH);
      // The subscribe above proved the queue key on this connection: acks go unsigned (relay.md §6.3).
      // BENCH_SIGNED_ACKS=1 measures a client that signs every ack anyway (the relay verifies each).
      const reply = await ask('ack', await encodeAck({ requestId: ++requestIds, recipientId, messageIds: batch }, SIGNED_ACKS ? signer : PROVEN_ON_THIS_CONNECTION));
      if (reply.ok) counters.acked += batch.length;
    }
    flushing = false;
  };
  const client: BenchClient = {
    socket,
    address: senderId,
    send: (to, blob) => socket.emit('put', encodePut({ requestId: ++requestIds, senderId: to.address as Uint8Array, blob })),
    onBlob: () => undefined,
    close: () => socket.close(),
  };
  socket.on('deliver', (frame: ArrayBuffer) => {
    const delivery = decodeDeliver(frame);
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

async function throughput(clients: BenchClient[], counters: { acked: number }, mode: Mode, server: ServerProcess): Promise<Sustained> {
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
  return { perSecond: count / seconds, serverCpu: serverCpu / 1e6 / seconds, clientCpu: (clientCpu.user + clientCpu.system) / 1e6 / seconds };
}

async function latency(clients: BenchClient[], rate: number): Promise<{ p50: number; p99: number; sent: number; received: number }> {
  const samples: number[] = [];
  for (const client of clients) {
    client.onBlob = (blob) => samples.push(performance.now() - new DataView(blob.buffer, blob.byteOffset).getFloat64(4));
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Result {
  mode: Mode;
  throughput: number;
  serverCpu: number;
  clientCpu: number;
  p50: number;
  p99: number;
  latencyRate: number;
  idleBytesPerConnection?: number;
}

async function run(mode: Mode, org: Org): Promise<Result> {
  const server = await startServer(mode, org);
  try {
    const counters = { acked: 0 };
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => (mode === 'bare' ? bareClient(server.url) : relayClient(server.url, org, counters))));
    const measured = await throughput(clients, counters, mode, server);
    const sustained = measured.perSecond;
    const half = Math.max(1, Math.round(sustained / 2));
    const { p50, p99 } = await latency(clients, half);
    for (const client of clients) client.close();
    await sleep(300);
    const result: Result = { mode, throughput: sustained, serverCpu: measured.serverCpu, clientCpu: measured.clientCpu, p50, p99, latencyRate: half };
    if (mode !== 'redis' && IDLE_CONNECTIONS > 0) {
      // A fresh server: one that has just carried load has heap to spare, which would hide the cost.
      const fresh = await startServer(mode, org);
      try {
        result.idleBytesPerConnection = await idleMemory(mode, fresh, org);
      } finally {
        await fresh.stop();
      }
    }
    console.log(`${mode}: ${Math.round(sustained)} blobs/s (server ${(measured.serverCpu * 100).toFixed(0)}% of a core, clients ${(measured.clientCpu * 100).toFixed(0)}%); at ${half}/s p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms${result.idleBytesPerConnection ? `; ${(result.idleBytesPerConnection / 1024).toFixed(1)} KiB per idle connection` : ''}`);
    return result;
  } finally {
    await server.stop();
    if (mode === 'redis') await deleteBenchKeys();
  }
}

async function main(): Promise<void> {
  const org = { orgId: crypto.getRandomValues(new Uint8Array(16)), key: await generateEd25519KeyPair() };
  const modes = (process.env.BENCH_MODES ?? 'bare,memory,redis').split(',') as Mode[];
  const results: Result[] = [];
  for (const mode of modes) results.push(await run(mode, org));
  const bare = results.find((r) => r.mode === 'bare');
  const ratio = (r: Result) => (bare ? r.throughput / bare.throughput : NaN);
  const goals: Record<Mode, number> = { bare: 1, memory: 0.6, redis: 0.4 };
  const cpu = os.cpus();
  const header = `Measured ${new Date().toISOString()} on ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${CLIENTS} clients, 1 KiB blobs, window ${WINDOW}, acks batched by up to ${ACK_BATCH} within ${ACK_DELAY_MS} ms and ${SIGNED_ACKS ? 'each signed (BENCH_SIGNED_ACKS=1)' : 'unsigned after the signed subscribe (relay.md §6.3)'}, ${MEASURE_MS / 1000} s per phase; clients and server share the machine.`;
  const rows = results.map((r) => {
    const goal = r.mode === 'bare' ? '' : `>= ${goals[r.mode] * 100}% of bare`;
    const met = r.mode === 'bare' ? '' : ratio(r) >= goals[r.mode] ? 'met' : '**missed**';
    const p99Met = r.p99 <= 50 ? 'met' : '**missed**';
    const idle = r.idleBytesPerConnection === undefined ? '' : `${(r.idleBytesPerConnection / 1024).toFixed(1)} KiB`;
    return `| ${r.mode} | ${Math.round(r.throughput)} | ${r.mode === 'bare' ? '1.00' : ratio(r).toFixed(2)} | ${goal} ${met} | ${Math.round(r.serverCpu * 100)}% / ${Math.round(r.clientCpu * 100)}% | ${r.latencyRate} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} (${p99Met}) | ${idle} |`;
  });
  const markdown = [
    '# bench:relay',
    '',
    header,
    '',
    '| server | delivered and acked blobs/s | ratio to bare | goal | CPU server / clients (% of a core) | latency load (blobs/s) | p50 ms | p99 ms (goal <= 50) | RSS per idle authenticated connection (goal <= 30 KiB) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  mkdirSync(path.join(root, 'bench-results'), { recursive: true });
  writeFileSync(path.join(root, 'bench-results/relay.md'), markdown);
  writeFileSync(path.join(root, 'bench-results/relay.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), clients: CLIENTS, results }, null, 2)}\n`);
  console.log(`\n${markdown}`);
  process.exit(0);
}

void main();
