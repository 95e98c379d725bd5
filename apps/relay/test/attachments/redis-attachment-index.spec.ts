/**
 * The Redis attachment index (relay.md §3.15, §9): the contract every index passes, then what only
 * a shared, durable index has: two nodes seeing one record, a dead node's claim running out, and
 * reservations released by Redis's own expiry. Runs when REDIS_URL is set (CI sets it).
 */
import { Redis } from 'ioredis';
import { ATTACHMENT_RECORD_RESERVE_BYTES } from '../../src/attachments/memory-attachment-index';
import { ATTACHMENT_WRITE_CLAIM_MS, RedisAttachmentIndex } from '../../src/attachments/redis-attachment-index';
import { REDIS_URL, deleteKeys, describeWithRedis, testPrefix } from '../support/redis';
import { attachmentIndexContract, newAttachment, randomId } from './attachment-index.suite';

const T0 = 1_800_000_000_000;
const hex = (id: Uint8Array): string => Buffer.from(id).toString('hex');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describeWithRedis('Redis attachment index', () => {
  const prefixes: string[] = [];
  /** A fresh index under a prefix of its own, so no test sees another's records or budget. */
  const fresh = (budget: number): Promise<RedisAttachmentIndex> => {
    const prefix = testPrefix();
    prefixes.push(prefix);
    return RedisAttachmentIndex.connect(REDIS_URL as string, prefix, budget);
  };
  afterAll(async () => {
    for (const prefix of prefixes) await deleteKeys(prefix);
  });

  attachmentIndexContract('Redis', fresh, ATTACHMENT_RECORD_RESERVE_BYTES);

  describe('shared by several nodes', () => {
    const prefix = testPrefix();
    let nodeA: RedisAttachmentIndex;
    let nodeB: RedisAttachmentIndex;
    let raw: Redis;
    beforeEach(async () => {
      nodeA = await RedisAttachmentIndex.connect(REDIS_URL as string, prefix, 1024 ** 2);
      nodeB = await RedisAttachmentIndex.connect(REDIS_URL as string, prefix, 1024 ** 2);
      raw = new Redis(REDIS_URL as string);
    });
    afterEach(async () => {
      await Promise.all([nodeA.close(), nodeB.close()]);
      raw.disconnect();
      await deleteKeys(prefix);
    });

    it('is durable: the bytes of records it does not hold in memory are never deleted at start or stop', () => {
      expect(nodeA.durable).toBe(true);
    });

    it('two nodes see one record: created on A, written on B, fetched on both', async () => {
      const attachment = newAttachment({ fetches: 2 });
      expect(await nodeA.create(attachment, T0)).toBe('created');
      expect(await nodeB.create({ ...newAttachment(), attachmentId: attachment.attachmentId }, T0)).toBe('collision');
      expect((await nodeB.claimWrite(attachment.uploadIdHash, 0, T0)).ok).toBe(true);
      expect(await nodeA.claimWrite(attachment.uploadIdHash, 0, T0)).toEqual({
        ok: false,
        reason: 'busy',
        received: 0,
      });
      expect(await nodeB.releaseWrite(attachment.attachmentId, 1_000, T0)).toMatchObject({ complete: true });
      expect(await nodeA.byAttachment(attachment.attachmentId, T0)).toMatchObject({ received: 1_000, complete: true });
      const nonce = randomId();
      expect(await nodeA.fetched(attachment.attachmentId, nonce, T0)).toBe('counted');
      expect(await nodeB.fetched(attachment.attachmentId, nonce, T0)).toBe('repeated');
      expect(await nodeB.fetched(attachment.attachmentId, randomId(), T0)).toBe('last');
      expect(await nodeA.knows(attachment.attachmentId)).toBe(false);
    });

    it('survives a node that closes: another connection still finds the record', async () => {
      const attachment = newAttachment();
      await nodeA.create(attachment, T0);
      await nodeA.close();
      nodeA = await RedisAttachmentIndex.connect(REDIS_URL as string, prefix, 1024 ** 2);
      expect(await nodeA.byUpload(attachment.uploadIdHash, T0)).toMatchObject({ length: 1_000 });
      expect(await nodeB.knows(attachment.attachmentId)).toBe(true);
    });

    it('expired claim: a writer that died with its node blocks the upload for the claim timeout only', async () => {
      const attachment = newAttachment({ expiresAt: T0 + 2 * ATTACHMENT_WRITE_CLAIM_MS });
      await nodeA.create(attachment, T0);
      expect((await nodeA.claimWrite(attachment.uploadIdHash, 0, T0)).ok).toBe(true);
      // Node A dies here: it never releases.
      const almost = T0 + ATTACHMENT_WRITE_CLAIM_MS - 1;
      expect(await nodeB.claimWrite(attachment.uploadIdHash, 0, almost)).toMatchObject({ ok: false, reason: 'busy' });
      const later = T0 + ATTACHMENT_WRITE_CLAIM_MS;
      expect((await nodeB.claimWrite(attachment.uploadIdHash, 0, later)).ok).toBe(true);
      expect(await nodeB.releaseWrite(attachment.attachmentId, 10, later)).toMatchObject({ received: 10 });
    });

    it('a record of another version is never read, as unknown', async () => {
      const attachment = newAttachment();
      await nodeA.create(attachment, T0);
      await raw.hset(`${prefix}at:{${hex(attachment.attachmentId)}}`, 'v', '2');
      expect(await nodeB.byAttachment(attachment.attachmentId, T0)).toBeUndefined();
      expect(await nodeB.claimWrite(attachment.uploadIdHash, 0, T0)).toEqual({ ok: false, reason: 'unknown' });
    });

    it('the sweep hands each expired id to one node only', async () => {
      const attachment = newAttachment();
      await nodeA.create(attachment, T0);
      const [a, b] = await Promise.all([nodeA.sweep(T0 + 60_000), nodeB.sweep(T0 + 60_000)]);
      expect([...a, ...b].map(hex)).toEqual([hex(attachment.attachmentId)]);
    });

    it('expired: Redis drops the record and releases its reservation by itself, with no sweep', async () => {
      const reserve = 1_000 + ATTACHMENT_RECORD_RESERVE_BYTES;
      const small = await fresh(reserve);
      try {
        const now = Date.now();
        const attachment = newAttachment({ expiresAt: now + 300 });
        expect(await small.create(attachment, now)).toBe('created');
        expect(await small.create(newAttachment({ expiresAt: now + 60_000 }), now)).toBe('store_full');
        // Past the record's expiry and the end of its budget second (rounded up).
        await sleep(Math.ceil((now + 300) / 1000) * 1000 - now + 200);
        const later = Date.now();
        expect(await small.create(newAttachment({ expiresAt: later + 60_000 }), later)).toBe('created');
      } finally {
        await small.close();
      }
    });

    it('every key carries a native expiry; the record, its nonces and the budget go when it expires', async () => {
      const now = Date.now();
      const attachment = newAttachment({ fetches: 2, expiresAt: now + 400 });
      await nodeA.create(attachment, now);
      await nodeA.claimWrite(attachment.uploadIdHash, 0, now);
      await nodeA.releaseWrite(attachment.attachmentId, 1_000, now);
      await nodeA.fetched(attachment.attachmentId, randomId(), now);
      const keys = await raw.keys(`${prefix}*`);
      expect(keys.length).toBe(6);
      for (const key of keys) expect(await raw.pttl(key)).toBeGreaterThan(0);
      await sleep(Math.ceil((now + 400) / 1000) * 1000 - now + 200);
      // Only the sweep list remains, so the bytes can still be found and deleted.
      expect(await raw.keys(`${prefix}*`)).toEqual([`${prefix}atx`]);
      expect(await nodeB.knows(attachment.attachmentId)).toBe(true);
      expect((await nodeB.sweep(Date.now())).map(hex)).toEqual([hex(attachment.attachmentId)]);
    });
  });
});
