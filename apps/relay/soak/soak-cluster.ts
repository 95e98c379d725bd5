/**
 * What the soak runs against: a Redis primary with two replicas and three sentinels (relay.md
 * §9.1; two replicas, so the primary promoted after one failover still has one to confirm writes),
 * an organisation that serves its token key set over HTTP as the admin app does, and relay nodes
 * as separate processes sharing that Redis, so a blob put on one node is pushed live on another.
 */
import { Redis } from 'ioredis';
import { LocalSentinelSet, freePort, hasRedisServer, REDIS_SERVER } from '../test/support/redis-sentinel';
import { newOrg, type TestOrg } from '../test/support/relay-client';
import { RelayNodeProcess, type StopSignal } from './relay-node-process';

export interface FailoverRecord {
  readonly oldPrimary: number;
  readonly newPrimary: number;
  /** From the SIGKILL until the sentinels named a new primary that answers as one. */
  readonly ms: number;
}

export interface RestartRecord {
  readonly node: string;
  readonly signal: StopSignal;
  /** From the signal until the new process listened. */
  readonly ms: number;
}

export class SoakCluster {
  readonly failovers: FailoverRecord[] = [];
  readonly restarts: RestartRecord[] = [];

  private constructor(
    readonly org: TestOrg,
    readonly sentinels: LocalSentinelSet,
    readonly nodes: readonly RelayNodeProcess[],
  ) {}

  static async start(nodeCount: number, minReplicas: number): Promise<SoakCluster> {
    if (!hasRedisServer()) throw new Error(`${REDIS_SERVER} is missing: apt-get install redis-server redis-sentinel`);
    const org = await newOrg();
    const sentinels = await LocalSentinelSet.start(2, `odr-soak-${process.pid}`);
    const env = {
      SOAK_SENTINELS: sentinels.sentinelList,
      SOAK_SENTINEL_NAME: sentinels.name,
      SOAK_MIN_REPLICAS: String(minReplicas),
      SOAK_REDIS_PREFIX: `odr-soak:${process.pid}:`,
      SOAK_ORG_ID: Buffer.from(org.orgId).toString('hex'),
      SOAK_ORG_KEY: Buffer.from(org.key.publicKey).toString('hex'),
      SOAK_TOKEN_KEYS_URL: org.keysUrl,
    };
    const nodes: RelayNodeProcess[] = [];
    for (let i = 0; i < nodeCount; i++)
      nodes.push(new RelayNodeProcess(`node ${String.fromCharCode(65 + i)}`, await freePort(), env));
    const cluster = new SoakCluster(org, sentinels, nodes);
    try {
      await Promise.all(nodes.map((node) => node.start()));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Stops a node with `signal`, leaves it down for `downMs`, and starts it again on its port. */
  async restartNode(index: number, signal: StopSignal, downMs: number): Promise<void> {
    const node = this.nodes[index] as RelayNodeProcess;
    const started = Date.now();
    await node.stop(signal);
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await node.start();
    this.restarts.push({ node: node.name, signal, ms: Date.now() - started });
  }

  /** SIGKILLs the primary and resolves once the sentinels have promoted a replica. */
  async failOver(): Promise<FailoverRecord> {
    const oldPrimary = await this.sentinels.primaryPort();
    const started = Date.now();
    this.sentinels.kill(oldPrimary);
    const newPrimary = await this.sentinels.failedOverFrom(oldPrimary, 60_000);
    const record = { oldPrimary, newPrimary, ms: Date.now() - started };
    this.failovers.push(record);
    return record;
  }

  /** The current primary's INFO fields: used_memory (bytes) and CPU seconds used (user + system). */
  async redisInfo(): Promise<{ usedMemory: number; cpuSeconds: number } | undefined> {
    try {
      return await redisInfoAt(await this.sentinels.primaryPort());
    } catch {
      return undefined;
    }
  }

  /** CPU seconds used by the primary and the replicas still running, together. */
  async redisDataCpuSeconds(): Promise<number> {
    const infos = await Promise.all(this.sentinels.dataPorts.map((port) => redisInfoAt(port).catch(() => undefined)));
    return infos.reduce((sum, info) => sum + (info?.cpuSeconds ?? 0), 0);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop('SIGKILL')));
    await this.sentinels.stop();
  }
}

async function redisInfoAt(port: number): Promise<{ usedMemory: number; cpuSeconds: number }> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const info = await redis.info();
    const field = (name: string) => Number(new RegExp(`^${name}:(\\S+)`, 'm').exec(info)?.[1] ?? NaN);
    return { usedMemory: field('used_memory'), cpuSeconds: field('used_cpu_user') + field('used_cpu_sys') };
  } finally {
    redis.disconnect();
  }
}
