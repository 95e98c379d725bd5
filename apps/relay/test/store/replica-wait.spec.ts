/**
 * ReplicaWait (relay.md §9.1) against a scripted stand-in for ioredis: what WAIT answers, when the
 * connection changes, and how concurrent writes share WAITs.
 */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { ReplicaWait } from '../../src/store/replica-wait';
import { StoreUnavailableError } from '../../src/store/relay-store';

class ScriptedRedis extends EventEmitter {
  readonly waits: { resolve: (replicas: number) => void; reject: (error: Error) => void }[] = [];
  wait(): Promise<number> {
    return new Promise((resolve, reject) => this.waits.push({ resolve, reject }));
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function setUp(minReplicas = 1) {
  const redis = new ScriptedRedis();
  const replicas = new ReplicaWait(redis as unknown as Redis, minReplicas);
  redis.emit('connect');
  return { redis, replicas };
}

describe('ReplicaWait', () => {
  it('confirms a write once WAIT reports enough replicas', async () => {
    const { redis, replicas } = setUp(2);
    const confirmed = replicas.confirm();
    await flush();
    redis.waits[0]?.resolve(2);
    await expect(confirmed).resolves.toBeUndefined();
  });

  it('refuses (unavailable) when fewer replicas confirm in time', async () => {
    const { redis, replicas } = setUp(2);
    const confirmed = replicas.confirm();
    await flush();
    redis.waits[0]?.resolve(1);
    await expect(confirmed).rejects.toThrow(
      new StoreUnavailableError('Redis: a write reached 1 of 2 replicas in time'),
    );
  });

  it('refuses when the connection changed between the write and its WAIT: another server answered', async () => {
    const { redis, replicas } = setUp();
    const confirmed = replicas.confirm();
    redis.emit('connect'); // ioredis reconnected, through the sentinels, to another node
    await flush();
    redis.waits[0]?.resolve(1);
    await expect(confirmed).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('refuses when WAIT itself fails', async () => {
    const { redis, replicas } = setUp();
    const confirmed = replicas.confirm();
    await flush();
    redis.waits[0]?.reject(new Error('Connection is closed.'));
    await expect(confirmed).rejects.toThrow('Redis: Connection is closed.');
  });

  it('writes answered while a WAIT is in flight share one later WAIT, never the one in flight', async () => {
    const { redis, replicas } = setUp();
    const first = replicas.confirm();
    await flush();
    const [second, third] = [replicas.confirm(), replicas.confirm()];
    await flush();
    expect(redis.waits.length).toBe(1);
    redis.waits[0]?.resolve(1);
    await first;
    await flush();
    expect(redis.waits.length).toBe(2);
    redis.waits[1]?.resolve(1);
    await expect(Promise.all([second, third])).resolves.toEqual([undefined, undefined]);
  });

  it('with 0 replicas asked for, sends no WAIT at all', async () => {
    const { redis, replicas } = setUp(0);
    await replicas.confirm();
    expect(redis.waits.length).toBe(0);
  });
});
