/**
 * A Redis primary, its replicas and three sentinels on loopback, each a `redis-server` process of
 * its own (Debian's redis-sentinel is the same binary started with --sentinel), for the failover
 * tests (relay.md §9.1). Nothing is written to disk; every process is killed at stop().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

export const REDIS_SERVER = '/usr/bin/redis-server';

/** A free loopback port (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One command on a fresh connection that gives up at once when nothing listens. */
async function ask<T>(port: number, command: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await command(redis);
  } finally {
    redis.disconnect();
  }
}

export class LocalSentinelSet {
  readonly #processes = new Map<number, ChildProcess>();

  private constructor(
    readonly name: string,
    private readonly dir: string,
    readonly dataPorts: number[],
    readonly sentinelPorts: number[],
  ) {}

  /** `replicas` replicas of one primary, three sentinels with a quorum of two; resolves when all see each other. */
  static async start(replicas: number, name = 'odr-test'): Promise<LocalSentinelSet> {
    const dir = mkdtempSync(path.join(tmpdir(), 'od-sentinel-'));
    const dataPorts: number[] = [];
    for (let i = 0; i <= replicas; i++) dataPorts.push(await freePort());
    const sentinelPorts = [await freePort(), await freePort(), await freePort()];
    const set = new LocalSentinelSet(name, dir, dataPorts, sentinelPorts);
    try {
      const [primary, ...others] = dataPorts as [number, ...number[]];
      set.#dataNode(primary);
      await until(() => ask(primary, async (redis) => (await redis.ping()) === 'PONG'), 10_000, 'primary');
      for (const port of others) set.#dataNode(port, primary);
      await until(
        // `online`: the first full copy is done, so a WAIT can count the replica.
        () =>
          ask(
            primary,
            async (redis) => (await redis.info('replication')).split('state=online').length - 1 === replicas,
          ),
        15_000,
        'replicas in sync',
      );
      for (const port of sentinelPorts) set.#sentinel(port, primary);
      await until(
        () =>
          Promise.all(
            sentinelPorts.map((port) =>
              ask(port, async (redis) => {
                const seen = (await redis.call('SENTINEL', 'replicas', name)) as unknown[];
                const peers = (await redis.call('SENTINEL', 'sentinels', name)) as unknown[];
                return seen.length === replicas && peers.length === sentinelPorts.length - 1;
              }),
            ),
          ).then((all) => all.every(Boolean)),
        30_000,
        'sentinels that know every replica and each other',
      );
      return set;
    } catch (error) {
      await set.stop();
      throw error;
    }
  }

  /** The relay's RELAY_REDIS_SENTINELS. */
  get sentinelList(): string {
    return this.sentinelPorts.map((port) => `127.0.0.1:${port}`).join(',');
  }

  /** The port of the primary as the first sentinel that answers names it. */
  async primaryPort(): Promise<number> {
    for (const port of this.sentinelPorts) {
      try {
        const [, primary] = (await ask(port, (redis) =>
          redis.call('SENTINEL', 'get-master-addr-by-name', this.name),
        )) as [string, string];
        return Number(primary);
      } catch {
        // that sentinel is away: ask the next
      }
    }
    throw new Error('no sentinel answers');
  }

  /** SIGKILL: the primary dies with whatever it had not yet sent to its replicas. */
  kill(port: number): void {
    this.#processes.get(port)?.kill('SIGKILL');
    this.#processes.delete(port);
  }

  /** Resolves once the sentinels name a primary other than `old`, and it answers as a primary. */
  async failedOverFrom(old: number, timeoutMs = 30_000): Promise<number> {
    let primary = old;
    await until(
      async () => {
        primary = await this.primaryPort();
        if (primary === old) return false;
        return ask(primary, async (redis) => (await redis.info('replication')).includes('role:master'));
      },
      timeoutMs,
      'a failover',
    );
    return primary;
  }

  async stop(): Promise<void> {
    const exits = [...this.#processes.values()].map(
      (child) =>
        new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve()))),
    );
    for (const child of this.#processes.values()) child.kill('SIGKILL');
    this.#processes.clear();
    await Promise.all(exits);
    rmSync(this.dir, { recursive: true, force: true });
  }

  #dataNode(port: number, primary?: number): void {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir];
    // A data node's own file name, so two never share one (nothing is saved; Redis still names it).
    args.push('--dbfilename', `dump-${port}.rdb`);
    // A replica's first copy starts at once instead of after the default 5 s wait for others.
    args.push('--repl-diskless-sync-delay', '0');
    if (primary !== undefined) args.push('--replicaof', '127.0.0.1', String(primary));
    this.#spawn(port, args);
  }

  #sentinel(port: number, primary: number): void {
    // Sentinels rewrite their file as they learn; each has its own.
    const file = path.join(this.dir, `sentinel-${port}.conf`);
    writeFileSync(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${this.dir}`,
        `sentinel monitor ${this.name} 127.0.0.1 ${primary} 2`,
        `sentinel down-after-milliseconds ${this.name} 1000`,
        `sentinel failover-timeout ${this.name} 10000`,
        `sentinel parallel-syncs ${this.name} 1`,
        '',
      ].join('\n'),
    );
    this.#spawn(port, [file, '--sentinel']);
  }

  #spawn(port: number, args: string[]): void {
    const child = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
    child.on('error', () => undefined);
    this.#processes.set(port, child);
  }
}

/** The failover tests need the redis-server binary (CI installs it; every project machine has it). */
export const hasRedisServer = (): boolean => existsSync(REDIS_SERVER);
