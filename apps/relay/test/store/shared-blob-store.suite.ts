/**
 * Shared blobs (relay.md §3.13, §3.14, §9) in every RelayStore: the same contract for the memory
 * store and the Redis store, under an injected clock. Beside relay-store.suite.ts, which holds the
 * rest of the contract.
 */
import { randomBytes } from 'node:crypto';
import type { RelayStore, StoreLimits } from '../../src/store/relay-store';
import { suiteLimits } from './relay-store.suite';

const T0 = 1_800_000_000_000;
const id = (): Uint8Array => new Uint8Array(randomBytes(16));
const bytes = (length: number, fill = 7): Uint8Array => new Uint8Array(length).fill(fill);

/** A budget of 1,000 bytes of shared blobs, to reach it in a few puts. */
export const sharedSuiteLimits: StoreLimits = { ...suiteLimits, sharedMaxBytes: 1_000 };

export function describeSharedBlobStore(name: string, open: (limits: StoreLimits) => Promise<RelayStore>): void {
  describe(`${name}: shared blobs`, () => {
    let store: RelayStore;
    beforeEach(async () => {
      store = await open(sharedSuiteLimits);
    });
    afterEach(async () => {
      await store.close();
    });

    const put = (sharedId: Uint8Array, blob: Uint8Array, now = T0, ttl = 10_000) =>
      store.putShared({ sharedId, blob, expiresAt: now + ttl }, now);

    it('stores a blob under its id, and every fetch gets it: fetching does not delete', async () => {
      const sharedId = id();
      expect(await put(sharedId, bytes(40, 3))).toBe('stored');
      expect(await store.fetchShared(sharedId, T0 + 1)).toEqual(bytes(40, 3));
      expect(await store.fetchShared(sharedId, T0 + 2)).toEqual(bytes(40, 3));
    });

    it('an unknown id is not found', async () => {
      expect(await put(id(), bytes(4))).toBe('stored');
      expect(await store.fetchShared(id(), T0)).toBeUndefined();
    });

    it('expires at its TTL by the store’s clock', async () => {
      const sharedId = id();
      expect(await put(sharedId, bytes(4), T0, 5_000)).toBe('stored');
      expect(await store.fetchShared(sharedId, T0 + 4_999)).toEqual(bytes(4));
      expect(await store.fetchShared(sharedId, T0 + 5_000)).toBeUndefined();
      await store.sweep(T0 + 5_000);
      expect(await store.fetchShared(sharedId, T0 + 5_000)).toBeUndefined();
    });

    it('an id already in use is taken, and the blob under it is left as it was', async () => {
      const sharedId = id();
      expect(await put(sharedId, bytes(4, 1))).toBe('stored');
      expect(await put(sharedId, bytes(4, 2))).toBe('taken');
      expect(await store.fetchShared(sharedId, T0)).toEqual(bytes(4, 1));
    });

    it('store_full past the shared budget, storing nothing; an exact fit is stored', async () => {
      expect(await put(id(), bytes(600))).toBe('stored');
      const refused = id();
      expect(await put(refused, bytes(401))).toBe('store_full');
      expect(await store.fetchShared(refused, T0)).toBeUndefined();
      expect(await put(id(), bytes(400))).toBe('stored');
      expect(await put(id(), bytes(1))).toBe('store_full');
    });

    it('an expired blob’s bytes are released for the next put', async () => {
      expect(await put(id(), bytes(900), T0, 5_000)).toBe('stored');
      expect(await put(id(), bytes(200), T0 + 1_000)).toBe('store_full');
      expect(await put(id(), bytes(200), T0 + 5_000)).toBe('stored');
    });

    it('a fetched blob is a copy: changing it changes nothing stored', async () => {
      const sharedId = id();
      const blob = bytes(8, 5);
      expect(await put(sharedId, blob)).toBe('stored');
      blob.fill(0);
      const fetched = await store.fetchShared(sharedId, T0);
      fetched?.fill(9);
      expect(await store.fetchShared(sharedId, T0)).toEqual(bytes(8, 5));
    });

    it('a shared id names no queue: it is neither a recipient id nor a sender id', async () => {
      const sharedId = id();
      expect(await put(sharedId, bytes(4))).toBe('stored');
      expect(await store.recipientKey(sharedId, T0)).toBeUndefined();
      expect(
        await store.put(sharedId, { messageId: id(), receivedAt: T0, expiresAt: T0 + 1_000, blob: bytes(3) }, T0),
      ).toEqual({ ok: false, error: 'auth' });
      expect(await store.fetchPrekeys(sharedId, T0)).toBeUndefined();
    });
  });
}
