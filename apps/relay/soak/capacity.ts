/**
 * What one relay node carries on this machine, measured at the end of the soak on the same
 * cluster (Sentinel, writes confirmed by a replica, the soak's devices still connected):
 *
 * - messages per second: a closed loop on one node, as bench:relay measures it (each connection
 *   owns one queue and keeps WINDOW puts to the next one's queue in flight; every blob put,
 *   pushed and acknowledged in batches), paced to the relay's default rate like every device;
 * - connected devices: the node's RSS and heap growth (after a full GC) per idle device that
 *   holds one reading connection subscribed to CONTACTS queues, and how fast the node admits them
 *   all again at once (a new connection, a token, every subscription), as after a restart.
 *
 * Clients, relay nodes and Redis share the machine's two cores: the CPU each used is reported
 * beside the rate, and the rate per core-second of the node is the figure to scale from.
 */
import { performance } from 'node:perf_hooks';
import { generateEd25519KeyPair, type Ed25519KeyPair } from '@opendescent/crypto';
import { relayOriginOf } from '@opendescent/protocol';
import { RelayConnection, ack, createQueue, put, subscribe } from '@opendescent/relay-client';
import type { SoakCluster } from './soak-cluster';
import type { RelayNodeProcess } from './relay-node-process';

const WINDOW = 8;
const ACK_BATCH = 64;
const ACK_DELAY_MS = 20;
const BLOB_BYTES = 1024;
const CONNECT_IN_FLIGHT = 50;

export interface ThroughputResult {
  readonly node: string;
  readonly connections: number;
  readonly seconds: number;
  /** Blobs put, delivered and acknowledged per second. */
  readonly messagesPerSecond: number;
  /** Shares of one core over the measurement. */
  readonly nodeCpu: number;
  readonly redisPrimaryCpu: number;
  readonly clientCpu: number;
  /** messagesPerSecond / nodeCpu: what one core given to the node alone would carry. */
  readonly messagesPerNodeCoreSecond: number;
  readonly refusals: Readonly<Record<string, number>>;
}

export interface DeviceMemoryResult {
  readonly node: string;
  readonly devices: number;
  readonly queuesPerDevice: number;
  readonly rssBytesPerDevice: number;
  readonly heapBytesPerDevice: number;
  /**
   * Devices re-admitted per second, CONNECT_IN_FLIGHT at a time, as after a node restart: a new
   * connection, a hello with a fresh token, and every queue subscribed again.
   */
  readonly reconnectionsPerSecond: number;
}

interface LoopClient {
  readonly connection: RelayConnection;
  readonly senderId: Uint8Array;
}

interface Device {
  readonly connection: RelayConnection;
  readonly queues: { recipientId: Uint8Array; senderId: Uint8Array; key: Ed25519KeyPair }[];
}

/** A connection admitted by a fresh token, with `queues` new queues, or the given ones, subscribed. */
async function device(url: string, cluster: SoakCluster, queues: number | Device['queues']): Promise<Device> {
  const connection = await RelayConnection.open(url, { requestTimeoutMs: 30_000 });
  await connection.hello(await cluster.org.issuer.mint(relayOriginOf(url)));
  if (typeof queues !== 'number') {
    for (const queue of queues) await subscribe(connection, queue.recipientId, queue.key);
    return { connection, queues };
  }
  const made: Device['queues'] = [];
  for (let i = 0; i < queues; i++) {
    const key = await generateEd25519KeyPair();
    const ids = await createQueue(connection, key);
    await subscribe(connection, ids.recipientId, key);
    made.push({ ...ids, key });
  }
  return { connection, queues: made };
}

async function many<T>(count: number, make: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONNECT_IN_FLIGHT, count) }, async () => {
      while (next++ < count) out.push(await make());
    }),
  );
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function nodeThroughput(
  cluster: SoakCluster,
  node: RelayNodeProcess,
  connections: number,
  seconds: number,
): Promise<ThroughputResult> {
  let acked = 0;
  const refusals: Record<string, number> = {};
  const refused = (error: unknown) => {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'error';
    refusals[code] = (refusals[code] ?? 0) + 1;
  };
  const clients: LoopClient[] = [];
  for (const made of await many(connections, () => device(node.url, cluster, 1))) {
    const { connection } = made;
    const queue = made.queues[0] as (typeof made.queues)[number];
    let toAck: Uint8Array[] = [];
    const flush = () => {
      const batch = toAck;
      toAck = [];
      ack(connection, queue.recipientId, queue.key, batch).then(() => (acked += batch.length), refused);
    };
    connection.onDeliver((delivery) => {
      toAck.push(delivery.messageId);
      if (toAck.length >= ACK_BATCH) flush();
      else if (toAck.length === 1) setTimeout(flush, ACK_DELAY_MS);
    });
    clients.push({ connection, senderId: queue.senderId });
  }
  let running = true;
  const blob = new Uint8Array(BLOB_BYTES);
  const loops = clients.flatMap((client, i) => {
    const target = (clients[(i + 1) % clients.length] as LoopClient).senderId;
    return Array.from({ length: WINDOW }, async () => {
      while (running) await put(client.connection, target, blob).catch(refused);
    });
  });
  await sleep(3_000);
  const before = {
    acked,
    at: performance.now(),
    node: (await node.cpuMicros()) ?? NaN,
    redis: (await cluster.redisInfo())?.cpuSeconds ?? NaN,
    client: process.cpuUsage(),
  };
  await sleep(seconds * 1000);
  const elapsed = (performance.now() - before.at) / 1000;
  const count = acked - before.acked;
  const nodeCpu = (((await node.cpuMicros()) ?? NaN) - before.node) / 1e6 / elapsed;
  const redisPrimaryCpu = (((await cluster.redisInfo())?.cpuSeconds ?? NaN) - before.redis) / elapsed;
  const client = process.cpuUsage(before.client);
  running = false;
  await Promise.all(loops);
  await sleep(500);
  for (const { connection } of clients) connection.close();
  const messagesPerSecond = count / elapsed;
  return {
    node: node.name,
    connections,
    seconds: elapsed,
    messagesPerSecond,
    nodeCpu,
    redisPrimaryCpu,
    clientCpu: (client.user + client.system) / 1e6 / elapsed,
    messagesPerNodeCoreSecond: messagesPerSecond / nodeCpu,
    refusals,
  };
}

export async function deviceMemory(
  cluster: SoakCluster,
  node: RelayNodeProcess,
  devices: number,
  queuesPerDevice: number,
): Promise<DeviceMemoryResult> {
  const before = await node.memory();
  const made = await many(devices, () => device(node.url, cluster, queuesPerDevice));
  await sleep(1_000);
  const after = await node.memory();
  for (const { connection } of made) connection.close();
  await sleep(1_000);
  // Every device back at once, as when the node they were on restarts.
  let next = 0;
  const started = performance.now();
  const back = await many(devices, () => device(node.url, cluster, (made[next++] as Device).queues));
  const reconnectionsPerSecond = devices / ((performance.now() - started) / 1000);
  for (const { connection } of back) connection.close();
  if (!before || !after) throw new Error(`${node.name} did not report its memory`);
  return {
    node: node.name,
    devices,
    queuesPerDevice,
    rssBytesPerDevice: (after.rss - before.rss) / devices,
    heapBytesPerDevice: (after.heapUsed - before.heapUsed) / devices,
    reconnectionsPerSecond,
  };
}
