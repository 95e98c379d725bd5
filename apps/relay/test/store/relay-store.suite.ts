/**
 * One test suite for every RelayStore implementation (STYLE.md, principle 10): the memory store
 * and the Redis store must behave identically, including expiry under an injected clock,
 * quotas, idempotent acks and atomic one-time prekey claims.
 */
import { randomBytes } from 'node:crypto';
import type { RelayStore, StoreLimits } from '../../src/store/relay-store';

export const suiteLimits: StoreLimits = {
  queueMaxMessages: 5,
  queueMaxBytes: 1000,
  queueIdleTtlMs: 60_000,
  prekeyTtlMs: 120_000,
  maxOneTimePrekeysPerSlot: 50,
  memoryMaxBytes: 1_000_000,
  sharedMaxBytes: 100_000,
};

const id = (): Uint8Array => new Uint8Array(randomBytes(16));
const bytes = (length: number, fill = 7): Uint8Array => new Uint8Array(length).fill(fill);
const T0 = 1_800_000_000_000;

export function describeRelayStore(name: string, open: (limits: StoreLimits) => Promise<RelayStore>): void {
  describe(`${name}: the RelayStore contract`, () => {
    let store: RelayStore;
    beforeEach(async () => {
      store = await open(suiteLimits);
    });
    afterEach(async () => {
      await store.close();
    });

    async function newQueue(now = T0) {
      const queue = { recipientId: id(), senderId: id(), recipientKey: bytes(32, 1) };
      expect(await store.createQueue(queue, now)).toBe('created');
      return queue;
    }

    function message(blob: Uint8Array, now = T0, ttl = 10_000) {
      return { messageId: id(), receivedAt: now, expiresAt: now + ttl, blob };
    }

    describe('queues', () => {
      it('creates a queue and knows its recipient key', async () => {
        const q = await newQueue();
        expect(await store.recipientKey(q.recipientId, T0)).toEqual(q.recipientKey);
      });

      it('refuses a recipient id or a sender id that is already taken', async () => {
        const q = await newQueue();
        expect(
          await store.createQueue({ recipientId: q.recipientId, senderId: id(), recipientKey: bytes(32) }, T0),
        ).toBe('taken');
        expect(await store.createQueue({ recipientId: id(), senderId: q.senderId, recipientKey: bytes(32) }, T0)).toBe(
          'taken',
        );
      });

      it('does not confuse a sender id with a recipient id', async () => {
        const q = await newQueue();
        expect(await store.recipientKey(q.senderId, T0)).toBeUndefined();
        expect(await store.put(q.recipientId, message(bytes(3)), T0)).toEqual({ ok: false, error: 'auth' });
      });

      it('keeps put blobs pending in put order, with their ids and times', async () => {
        const q = await newQueue();
        const sent = [message(bytes(3, 1)), message(bytes(4, 2), T0 + 1), message(bytes(5, 3), T0 + 2)];
        for (const m of sent) {
          const outcome = await store.put(q.senderId, m, T0 + 2);
          expect(outcome.ok && Buffer.from(outcome.recipientId).equals(Buffer.from(q.recipientId))).toBe(true);
        }
        const pending = await store.pending(q.recipientId, { max: 10, maxBytes: 10_000 }, T0 + 3);
        expect(pending?.more).toBe(false);
        expect(pending?.messages).toEqual(
          sent.map(({ messageId, receivedAt, blob }) => ({ messageId, receivedAt, blob })),
        );
      });

      it('refuses a put to an unknown sender id with auth and stores nothing', async () => {
        expect(await store.put(id(), message(bytes(3)), T0)).toEqual({ ok: false, error: 'auth' });
      });

      it('returns at most max blobs, and stops before the byte budget, saying there are more', async () => {
        const q = await newQueue();
        for (let i = 0; i < 4; i++) await store.put(q.senderId, message(bytes(100, i)), T0);
        expect((await store.pending(q.recipientId, { max: 2, maxBytes: 10_000 }, T0))?.messages).toHaveLength(2);
        expect((await store.pending(q.recipientId, { max: 2, maxBytes: 10_000 }, T0))?.more).toBe(true);
        const byBytes = await store.pending(q.recipientId, { max: 10, maxBytes: 250 }, T0);
        expect(byBytes?.messages).toHaveLength(2);
        expect(byBytes?.more).toBe(true);
        // Always at least one blob, even one larger than the budget.
        expect((await store.pending(q.recipientId, { max: 10, maxBytes: 1 }, T0))?.messages).toHaveLength(1);
      });

      it('ack deletes the named blobs only, and is idempotent', async () => {
        const q = await newQueue();
        const a = message(bytes(3, 1));
        const b = message(bytes(3, 2));
        await store.put(q.senderId, a, T0);
        await store.put(q.senderId, b, T0);
        expect(await store.ack(q.recipientId, [a.messageId], T0)).toBe(true);
        expect(await store.ack(q.recipientId, [a.messageId, id()], T0)).toBe(true);
        const pending = await store.pending(q.recipientId, { max: 10, maxBytes: 10_000 }, T0);
        expect(pending?.messages.map((m) => m.messageId)).toEqual([b.messageId]);
      });

      it('an ack naming another queue’s blob deletes nothing', async () => {
        const q1 = await newQueue();
        const q2 = await newQueue();
        const m = message(bytes(3));
        await store.put(q1.senderId, m, T0);
        await store.ack(q2.recipientId, [m.messageId], T0);
        expect((await store.pending(q1.recipientId, { max: 10, maxBytes: 10_000 }, T0))?.messages).toHaveLength(1);
      });

      it('ack, pending and delete of an unknown queue report it', async () => {
        expect(await store.ack(id(), [id()], T0)).toBe(false);
        expect(await store.pending(id(), { max: 1, maxBytes: 1 }, T0)).toBeUndefined();
        expect(await store.deleteQueue(id(), T0)).toBe(false);
      });

      it('delete removes both ids and every blob', async () => {
        const q = await newQueue();
        await store.put(q.senderId, message(bytes(3)), T0);
        expect(await store.deleteQueue(q.recipientId, T0)).toBe(true);
        expect(await store.recipientKey(q.recipientId, T0)).toBeUndefined();
        expect(await store.put(q.senderId, message(bytes(3)), T0)).toEqual({ ok: false, error: 'auth' });
        expect(await store.deleteQueue(q.recipientId, T0)).toBe(false);
        // Both ids are free again.
        expect(await store.createQueue({ ...q }, T0)).toBe('created');
      });
    });

    describe('expiry', () => {
      it('a blob past its TTL is gone, and its quota is free again', async () => {
        const q = await newQueue();
        await store.put(q.senderId, message(bytes(600), T0, 1_000), T0);
        await store.put(q.senderId, message(bytes(10), T0, 5_000), T0);
        expect(await store.put(q.senderId, message(bytes(600)), T0)).toEqual({ ok: false, error: 'quota_exceeded' });
        const later = T0 + 1_000;
        const pending = await store.pending(q.recipientId, { max: 10, maxBytes: 10_000 }, later);
        expect(pending?.messages.map((m) => m.blob.length)).toEqual([10]);
        expect((await store.put(q.senderId, message(bytes(600), later), later)).ok).toBe(true);
      });

      it('an idle queue expires with its blobs; activity keeps it alive', async () => {
        const idle = suiteLimits.queueIdleTtlMs;
        const kept = await newQueue();
        const dropped = await newQueue();
        await store.put(dropped.senderId, message(bytes(3), T0, idle * 10), T0);
        await store.put(kept.senderId, message(bytes(3), T0 + idle / 2), T0 + idle / 2);
        const later = T0 + idle;
        expect(await store.recipientKey(dropped.recipientId, later)).toBeUndefined();
        expect(await store.put(dropped.senderId, message(bytes(3), later), later)).toEqual({
          ok: false,
          error: 'auth',
        });
        expect(await store.recipientKey(kept.recipientId, later)).toEqual(kept.recipientKey);
      });

      it('a sweep changes nothing that is still alive', async () => {
        const q = await newQueue();
        await store.put(q.senderId, message(bytes(3)), T0);
        await store.sweep(T0 + 1);
        expect((await store.pending(q.recipientId, { max: 10, maxBytes: 10_000 }, T0 + 1))?.messages).toHaveLength(1);
      });
    });

    describe('quotas', () => {
      it('refuses the blob past the message quota and changes nothing', async () => {
        const q = await newQueue();
        for (let i = 0; i < suiteLimits.queueMaxMessages; i++)
          expect((await store.put(q.senderId, message(bytes(1)), T0)).ok).toBe(true);
        expect(await store.put(q.senderId, message(bytes(1)), T0)).toEqual({ ok: false, error: 'quota_exceeded' });
        expect((await store.pending(q.recipientId, { max: 100, maxBytes: 100_000 }, T0))?.messages).toHaveLength(
          suiteLimits.queueMaxMessages,
        );
      });

      it('refuses the blob past the byte quota; an ack frees room', async () => {
        const q = await newQueue();
        const big = message(bytes(900));
        await store.put(q.senderId, big, T0);
        expect(await store.put(q.senderId, message(bytes(101)), T0)).toEqual({ ok: false, error: 'quota_exceeded' });
        expect((await store.put(q.senderId, message(bytes(100)), T0)).ok).toBe(true);
        await store.ack(q.recipientId, [big.messageId], T0);
        expect((await store.put(q.senderId, message(bytes(500)), T0)).ok).toBe(true);
      });
    });

    describe('prekey slots', () => {
      const slotKey = bytes(32, 9);
      const otk = (i: number) => bytes(8, i);

      it('publishes, fetches and claims each one-time prekey once, then none', async () => {
        const slotId = id();
        expect(
          await store.publishPrekeys(
            { slotId, slotKey, mode: 'replace', bundle: bytes(20), oneTimePrekeys: [otk(1), otk(2)] },
            T0,
          ),
        ).toEqual({ ok: true, remaining: 2 });
        expect(await store.fetchPrekeys(slotId, T0)).toEqual({ bundle: bytes(20), remaining: 2 });
        expect(await store.claimPrekey(slotId, T0)).toEqual({ bundle: bytes(20), oneTimePrekey: otk(1) });
        expect(await store.claimPrekey(slotId, T0)).toEqual({ bundle: bytes(20), oneTimePrekey: otk(2) });
        expect(await store.claimPrekey(slotId, T0)).toEqual({ bundle: bytes(20), oneTimePrekey: undefined });
      });

      it('append keeps the one-time prekeys, replace drops them', async () => {
        const slotId = id();
        await store.publishPrekeys(
          { slotId, slotKey, mode: 'replace', bundle: bytes(20), oneTimePrekeys: [otk(1)] },
          T0,
        );
        expect(
          await store.publishPrekeys(
            { slotId, slotKey, mode: 'append', bundle: bytes(21), oneTimePrekeys: [otk(2)] },
            T0,
          ),
        ).toEqual({ ok: true, remaining: 2 });
        expect(await store.fetchPrekeys(slotId, T0)).toEqual({ bundle: bytes(21), remaining: 2 });
        expect(
          await store.publishPrekeys({ slotId, slotKey, mode: 'replace', bundle: bytes(22), oneTimePrekeys: [] }, T0),
        ).toEqual({ ok: true, remaining: 0 });
      });

      it('refuses a publish under another slot key with auth and changes nothing', async () => {
        const slotId = id();
        await store.publishPrekeys(
          { slotId, slotKey, mode: 'replace', bundle: bytes(20), oneTimePrekeys: [otk(1)] },
          T0,
        );
        expect(
          await store.publishPrekeys(
            { slotId, slotKey: bytes(32, 8), mode: 'replace', bundle: bytes(5), oneTimePrekeys: [] },
            T0,
          ),
        ).toEqual({ ok: false, error: 'auth' });
        expect(await store.fetchPrekeys(slotId, T0)).toEqual({ bundle: bytes(20), remaining: 1 });
      });

      it('refuses one-time prekeys past the slot quota and changes nothing', async () => {
        const slotId = id();
        const many = Array.from({ length: suiteLimits.maxOneTimePrekeysPerSlot }, (_, i) => otk(i));
        await store.publishPrekeys({ slotId, slotKey, mode: 'replace', bundle: bytes(20), oneTimePrekeys: many }, T0);
        expect(
          await store.publishPrekeys(
            { slotId, slotKey, mode: 'append', bundle: bytes(20), oneTimePrekeys: [otk(1)] },
            T0,
          ),
        ).toEqual({ ok: false, error: 'quota_exceeded' });
        expect((await store.fetchPrekeys(slotId, T0))?.remaining).toBe(suiteLimits.maxOneTimePrekeysPerSlot);
      });

      it('a slot not republished within its TTL expires', async () => {
        const slotId = id();
        await store.publishPrekeys(
          { slotId, slotKey, mode: 'replace', bundle: bytes(20), oneTimePrekeys: [otk(1)] },
          T0,
        );
        const later = T0 + suiteLimits.prekeyTtlMs;
        expect(await store.fetchPrekeys(slotId, later)).toBeUndefined();
        expect(await store.claimPrekey(slotId, later)).toBeUndefined();
        // Expired, the slot is free for a new key.
        expect(
          (
            await store.publishPrekeys(
              { slotId, slotKey: bytes(32, 3), mode: 'replace', bundle: bytes(20), oneTimePrekeys: [] },
              later,
            )
          ).ok,
        ).toBe(true);
      });

      it('concurrent claims never hand out the same one-time prekey', async () => {
        const slotId = id();
        const keys = Array.from({ length: 30 }, (_, i) => new Uint8Array(randomBytes(8)).fill(i, 0, 1));
        await store.publishPrekeys({ slotId, slotKey, mode: 'replace', bundle: bytes(20), oneTimePrekeys: keys }, T0);
        const claims = await Promise.all(Array.from({ length: 80 }, () => store.claimPrekey(slotId, T0)));
        const handed = claims
          .map((c) => c?.oneTimePrekey)
          .filter((k): k is Uint8Array => k !== undefined)
          .map((k) => Buffer.from(k).toString('hex'));
        expect(handed).toHaveLength(30);
        expect(new Set(handed).size).toBe(30);
        expect(claims.filter((c) => c?.oneTimePrekey === undefined)).toHaveLength(50);
      });
    });

    describe('signed documents (relay.md §7, §3.2)', () => {
      it('holds nothing before the first offer', async () => {
        expect(await store.document('revocation_list')).toBeUndefined();
        expect(await store.document('token_key_set')).toBeUndefined();
      });

      it('keeps only a higher version: the same version again or a lower one changes nothing', async () => {
        expect(await store.offerDocument('revocation_list', 2, bytes(4, 2))).toBe(true);
        expect(await store.offerDocument('revocation_list', 2, bytes(4, 9))).toBe(false);
        expect(await store.offerDocument('revocation_list', 1, bytes(4, 1))).toBe(false);
        expect(await store.document('revocation_list')).toEqual(bytes(4, 2));
        expect(await store.offerDocument('revocation_list', 3, bytes(5, 3))).toBe(true);
        expect(await store.document('revocation_list')).toEqual(bytes(5, 3));
      });

      it('keeps each kind apart: a token key set never replaces a revocation list, whatever its version', async () => {
        expect(await store.offerDocument('revocation_list', 5, bytes(4, 5))).toBe(true);
        expect(await store.offerDocument('token_key_set', 1, bytes(6, 1))).toBe(true);
        expect(await store.offerDocument('token_key_set', 9, bytes(6, 9))).toBe(true);
        expect(await store.offerDocument('revocation_list', 4, bytes(4, 4))).toBe(false);
        expect(await store.offerDocument('org_key_statements', 2, bytes(135, 2))).toBe(true);
        expect(await store.document('revocation_list')).toEqual(bytes(4, 5));
        expect(await store.document('token_key_set')).toEqual(bytes(6, 9));
        expect(await store.document('org_key_statements')).toEqual(bytes(135, 2));
        expect(await store.offerDocument('token_key_set', 6, bytes(6, 6))).toBe(false);
        expect(await store.document('token_key_set')).toEqual(bytes(6, 9));
      });

      it('a change to the bytes handed in or handed out does not change what is held', async () => {
        const offered = bytes(4, 1);
        await store.offerDocument('token_key_set', 1, offered);
        offered.fill(0);
        const read = await store.document('token_key_set');
        read?.fill(0);
        expect(await store.document('token_key_set')).toEqual(bytes(4, 1));
      });
    });

    describe('spent access tokens (relay.md §3.2)', () => {
      // Real time: Redis expires a spent token by its own clock (SET PXAT), not by the caller's.
      const LIFETIME_MS = 400;

      it('a token is spent once: true the first time, false on every later use until it expires', async () => {
        const spendId = new Uint8Array(randomBytes(32));
        const now = Date.now();
        expect(await store.spendToken(spendId, now + LIFETIME_MS, now)).toBe(true);
        expect(await store.spendToken(spendId, now + LIFETIME_MS, now)).toBe(false);
        expect(await store.spendToken(spendId, now + LIFETIME_MS, now + 1)).toBe(false);
        expect(await store.spendToken(spendId, now + 10 * LIFETIME_MS, now + LIFETIME_MS - 100)).toBe(false);
        await store.sweep(now + LIFETIME_MS - 100);
        expect(await store.spendToken(spendId, now + LIFETIME_MS, now + LIFETIME_MS - 100)).toBe(false);
      });

      it('concurrent spends of one token: exactly one wins', async () => {
        const spendId = new Uint8Array(randomBytes(32));
        const now = Date.now();
        const results = await Promise.all(
          Array.from({ length: 20 }, () => store.spendToken(spendId, now + 60_000, now)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('tokens are independent: spending one leaves another unspent', async () => {
        const now = Date.now();
        const a = new Uint8Array(randomBytes(32));
        const b = new Uint8Array(randomBytes(32));
        expect(await store.spendToken(a, now + 60_000, now)).toBe(true);
        expect(await store.spendToken(b, now + 60_000, now)).toBe(true);
        expect(await store.spendToken(a, now + 60_000, now)).toBe(false);
      });

      it('after its key stops being accepted the record is forgotten (the token is refused before the store is asked)', async () => {
        const spendId = new Uint8Array(randomBytes(32));
        const now = Date.now();
        expect(await store.spendToken(spendId, now + LIFETIME_MS, now)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, LIFETIME_MS + 100));
        const later = Date.now();
        await store.sweep(later);
        expect(await store.spendToken(spendId, later + LIFETIME_MS, later)).toBe(true);
        expect(await store.spendToken(spendId, later + LIFETIME_MS, later)).toBe(false);
      });
    });
  });
}
