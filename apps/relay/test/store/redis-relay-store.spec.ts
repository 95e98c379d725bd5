import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisRelayStore } from '../../src/store/redis-relay-store';
import { StoreUnavailableError } from '../../src/store/relay-store';
import { REDIS_URL, deleteKeys, describeWithRedis, testPrefix } from '../support/redis';
import { describeRelayStore, suiteLimits } from './relay-store.suite';

describeWithRedis('redis store', () => {
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const prefix of prefixes) await deleteKeys(prefix);
  });

  describeRelayStore('redis store', async (limits) => {
    const prefix = testPrefix();
    prefixes.push(prefix);
    return RedisRelayStore.connect(REDIS_URL as string, prefix, limits);
  });

  describe('every key of a queue carries a native expiry from the moment it exists (relay.md §9)', () => {
    const idle = suiteLimits.queueIdleTtlMs;
    const T0 = 1_800_000_000_000;
    const id = () => new Uint8Array(randomBytes(16));
    let store: RedisRelayStore;
    let redis: Redis;
    let prefix: string;

    beforeEach(async () => {
      prefix = testPrefix();
      prefixes.push(prefix);
      store = await RedisRelayStore.connect(REDIS_URL as string, prefix, suiteLimits);
      redis = new Redis(REDIS_URL as string);
    });
    afterEach(async () => {
      redis.disconnect();
      await store.close();
    });

    /** Every key under this test's prefix with its remaining lifetime in ms (-1: none). */
    async function lifetimes(): Promise<Map<string, number>> {
      const keys = await redis.keys(`${prefix}*`);
      return new Map(await Promise.all(keys.map(async (key) => [key.slice(prefix.length), await redis.pttl(key)] as [string, number])));
    }

    function expectAllExpiring(found: Map<string, number>, kinds: string[]): void {
      expect([...found.keys()].map((key) => key.split(':')[0]).sort()).toEqual([...kinds].sort());
      for (const [key, left] of found) {
        expect({ key, expiring: left > 0 && left <= idle }).toEqual({ key, expiring: true });
      }
    }

    async function queueWithOneBlob() {
      const queue = { recipientId: id(), senderId: id(), recipientKey: new Uint8Array(32).fill(1) };
      expect(await store.createQueue(queue, T0)).toBe('created');
      const message = { messageId: id(), receivedAt: T0 + 1, expiresAt: T0 + 10_001, blob: new Uint8Array(3).fill(7) };
      expect(await store.put(queue.senderId, message, T0 + 1)).toMatchObject({ ok: true });
      return { queue, message };
    }

    it('a queue created and used within its first minute: queue, sender id, indexes and blob all expire', async () => {
      expectAllExpiring(await lifetimes(), []);
      const queue = { recipientId: id(), senderId: id(), recipientKey: new Uint8Array(32).fill(1) };
      expect(await store.createQueue(queue, T0)).toBe('created');
      expectAllExpiring(await lifetimes(), ['q', 's']);
      await queueWithOneBlob();
      expectAllExpiring(await lifetimes(), ['q', 's', 'q', 's', 'o', 'e', 'z', 'b']);
    });

    it('after the blob is fetched and acknowledged in that minute, what is left still expires', async () => {
      const { queue, message } = await queueWithOneBlob();
      expect((await store.pending(queue.recipientId, { max: 10, maxBytes: 10_000 }, T0 + 2))?.messages).toHaveLength(1);
      expect(await store.ack(queue.recipientId, [message.messageId], T0 + 3)).toBe(true);
      expectAllExpiring(await lifetimes(), ['q', 's']);
    });

    it('a queue stored without an expiry (by an earlier relay version) gets one at its next put', async () => {
      const { queue } = await queueWithOneBlob();
      for (const key of await redis.keys(`${prefix}*`)) await redis.persist(key);
      const second = { messageId: id(), receivedAt: T0 + 5, expiresAt: T0 + 10_005, blob: new Uint8Array(3).fill(8) };
      // Drained, so that the next put starts fresh indexes: the path that gives them the queue's lifetime.
      const pending = await store.pending(queue.recipientId, { max: 10, maxBytes: 10_000 }, T0 + 4);
      expect(await store.ack(queue.recipientId, pending?.messages.map((m) => m.messageId) ?? [], T0 + 4)).toBe(true);
      expect(await store.put(queue.senderId, second, T0 + 5)).toMatchObject({ ok: true });
      expectAllExpiring(await lifetimes(), ['q', 's', 'o', 'e', 'z', 'b']);
    });
  });

  it('fails fast with StoreUnavailableError when Redis cannot be reached', async () => {
    await expect(RedisRelayStore.connect('redis://127.0.0.1:1', testPrefix(), suiteLimits)).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
