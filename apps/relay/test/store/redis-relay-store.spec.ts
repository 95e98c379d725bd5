import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisRelayStore } from '../../src/store/redis-relay-store';
import { StoreUnavailableError } from '../../src/store/relay-store';
import { REDIS_URL, deleteKeys, describeWithRedis, testPrefix } from '../support/redis';
import { describeRelayStore, suiteLimits } from './relay-store.suite';
import { describeSharedBlobStore } from './shared-blob-store.suite';

describeWithRedis('redis store', () => {
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const prefix of prefixes) await deleteKeys(prefix);
  });

  /** A store under a prefix of its own, and a plain client to look at its keys, for each test. */
  function freshStoreEachTest(use: (fresh: { store: RedisRelayStore; redis: Redis; prefix: string }) => void): void {
    let fresh: { store: RedisRelayStore; redis: Redis; prefix: string } | undefined;
    beforeEach(async () => {
      const prefix = testPrefix();
      prefixes.push(prefix);
      fresh = {
        prefix,
        store: await RedisRelayStore.connect(REDIS_URL as string, prefix, suiteLimits),
        redis: new Redis(REDIS_URL as string),
      };
      use(fresh);
    });
    afterEach(async () => {
      fresh?.redis.disconnect();
      await fresh?.store.close();
    });
  }

  describeRelayStore('redis store', async (limits) => {
    const prefix = testPrefix();
    prefixes.push(prefix);
    return RedisRelayStore.connect(REDIS_URL as string, prefix, limits);
  });

  describeSharedBlobStore('redis store', async (limits) => {
    const prefix = testPrefix();
    prefixes.push(prefix);
    return RedisRelayStore.connect(REDIS_URL as string, prefix, limits);
  });

  describe('shared blobs under the prefix (relay.md §9)', () => {
    let store: RedisRelayStore;
    let redis: Redis;
    let prefix: string;

    freshStoreEachTest((fresh) => ({ store, redis, prefix } = fresh));

    it('one sb:<id> key, written with its expiry, and budget keys that name no blob and expire with the last', async () => {
      const sharedId = new Uint8Array(randomBytes(16));
      const hexId = Buffer.from(sharedId).toString('hex');
      const now = Date.now();
      const blob = new Uint8Array(40).fill(3);
      expect(await store.putShared({ sharedId, blob, expiresAt: now + 60_000 }, now)).toBe('stored');
      const keys = (await redis.keys(`${prefix}*`)).map((key) => key.slice(prefix.length)).sort();
      expect(keys).toEqual([`sb:${hexId}`, 'sbe', 'sbz']);
      const left = await redis.pttl(`${prefix}sb:${hexId}`);
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(60_000);
      for (const key of ['sbe', 'sbz']) {
        expect(await redis.pttl(`${prefix}${key}`)).toBeGreaterThan(0);
        expect(await redis.pttl(`${prefix}${key}`)).toBeLessThanOrEqual(61_001);
      }
      // The budget keys hold expiry seconds and byte counts only: no id, no blob.
      const seconds = await redis.zrange(`${prefix}sbe`, '0', '-1');
      const counts = await redis.hgetall(`${prefix}sbz`);
      expect(seconds).toEqual([String(Math.ceil((now + 60_000) / 1000) * 1000)]);
      expect(counts).toEqual({ [seconds[0] as string]: '40', n: '40' });
    });

    it('a record of another version is never served', async () => {
      const sharedId = new Uint8Array(randomBytes(16));
      const now = Date.now();
      expect(await store.putShared({ sharedId, blob: new Uint8Array([1, 2]), expiresAt: now + 60_000 }, now)).toBe(
        'stored',
      );
      const key = `${prefix}sb:${Buffer.from(sharedId).toString('hex')}`;
      const record = (await redis.getBuffer(key)) as Buffer;
      record[0] = 2;
      await redis.set(key, record, 'PX', 60_000);
      expect(await store.fetchShared(sharedId, now)).toBeUndefined();
    });
  });

  describe('every key of a queue carries a native expiry from the moment it exists (relay.md §9)', () => {
    const idle = suiteLimits.queueIdleTtlMs;
    const T0 = 1_800_000_000_000;
    const id = () => new Uint8Array(randomBytes(16));
    let store: RedisRelayStore;
    let redis: Redis;
    let prefix: string;

    freshStoreEachTest((fresh) => ({ store, redis, prefix } = fresh));

    /** Every key under this test's prefix with its remaining lifetime in ms (-1: none). */
    async function lifetimes(): Promise<Map<string, number>> {
      const keys = await redis.keys(`${prefix}*`);
      return new Map(
        await Promise.all(
          keys.map(async (key) => [key.slice(prefix.length), await redis.pttl(key)] as [string, number]),
        ),
      );
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

  describe('spent tokens and documents under the prefix (relay.md §9)', () => {
    let store: RedisRelayStore;
    let redis: Redis;
    let prefix: string;

    freshStoreEachTest((fresh) => ({ store, redis, prefix } = fresh));

    it('a spent token is one t: key whose expiry is set, and no later than its key’s acceptance end', async () => {
      const spendId = new Uint8Array(randomBytes(32));
      const now = Date.now();
      const expiresAt = now + 60_000;
      expect(await store.spendToken(spendId, expiresAt, now)).toBe(true);
      const keys = await redis.keys(`${prefix}*`);
      expect(keys).toEqual([`${prefix}t:${Buffer.from(spendId).toString('hex')}`]);
      const left = await redis.pttl(keys[0] as string);
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(expiresAt - now);
      // Spending again neither succeeds nor extends its life.
      expect(await store.spendToken(spendId, expiresAt + 3_600_000, Date.now())).toBe(false);
      expect(await redis.pttl(keys[0] as string)).toBeLessThanOrEqual(expiresAt - now);
    });

    it('a token whose key is already past its acceptance end still gets a record that expires at once', async () => {
      const spendId = new Uint8Array(randomBytes(32));
      const now = Date.now();
      expect(await store.spendToken(spendId, now - 1000, now)).toBe(true);
      expect(await redis.pttl(`${prefix}t:${Buffer.from(spendId).toString('hex')}`)).toBeLessThanOrEqual(1);
    });

    it('documents live under rev, tks and oks, without an expiry: the newest is kept for nodes started later', async () => {
      await store.offerDocument('revocation_list', 1, new Uint8Array([1, 2, 3]));
      await store.offerDocument('token_key_set', 1, new Uint8Array([4, 5, 6]));
      await store.offerDocument('org_key_statements', 1, new Uint8Array([7, 8, 9]));
      expect((await redis.keys(`${prefix}*`)).map((key) => key.slice(prefix.length)).sort()).toEqual([
        'oks',
        'rev',
        'tks',
      ]);
      expect(await redis.pttl(`${prefix}rev`)).toBe(-1);
      expect(await redis.pttl(`${prefix}tks`)).toBe(-1);
      expect(await redis.pttl(`${prefix}oks`)).toBe(-1);
    });
  });

  it('fails fast with StoreUnavailableError when Redis cannot be reached', async () => {
    await expect(RedisRelayStore.connect('redis://127.0.0.1:1', testPrefix(), suiteLimits)).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
  });
});
