import { MemoryRelayStore } from '../../src/store/memory-relay-store';
import { describeRelayStore, suiteLimits } from './relay-store.suite';
import { describeSharedBlobStore } from './shared-blob-store.suite';

describeRelayStore('memory store', async (limits) => new MemoryRelayStore(limits));
describeSharedBlobStore('memory store', async (limits) => new MemoryRelayStore(limits));

describe('memory store: its own budget', () => {
  const T0 = 1_800_000_000_000;
  const ids = (n: number) => new Uint8Array(16).fill(n);

  it('refuses puts and new queues past its byte budget with store_full, and reclaims on expiry', async () => {
    const store = new MemoryRelayStore({ ...suiteLimits, memoryMaxBytes: 1024, queueMaxBytes: 10_000 });
    expect(
      await store.createQueue({ recipientId: ids(1), senderId: ids(2), recipientKey: new Uint8Array(32) }, T0),
    ).toBe('created');
    const put = (n: number, ttl = 1000) =>
      store.put(ids(2), { messageId: ids(n), receivedAt: T0, expiresAt: T0 + ttl, blob: new Uint8Array(300) }, T0);
    expect((await put(10)).ok).toBe(true);
    expect((await put(11)).ok).toBe(true);
    expect(await put(12)).toEqual({ ok: false, error: 'store_full' });
    expect(
      await store.createQueue({ recipientId: ids(3), senderId: ids(4), recipientKey: new Uint8Array(32) }, T0),
    ).toBe('store_full');
    await store.sweep(T0 + 1000);
    expect(store.usedBytes).toBe(256);
  });

  it('a spent token counts towards the budget until the sweep after its expiry reclaims it', async () => {
    const store = new MemoryRelayStore(suiteLimits);
    expect(await store.spendToken(ids(1), T0 + 1000, T0)).toBe(true);
    const spent = store.usedBytes;
    expect(spent).toBeGreaterThan(0);
    expect(await store.spendToken(ids(1), T0 + 1000, T0 + 1)).toBe(false);
    expect(store.usedBytes).toBe(spent);
    await store.sweep(T0 + 999);
    expect(store.usedBytes).toBe(spent);
    expect(await store.spendToken(ids(1), T0 + 1000, T0 + 999)).toBe(false);
    await store.sweep(T0 + 1000);
    expect(store.usedBytes).toBe(0);
  });

  it('a full store still records a spent token: refusing to remember it would let it be spent twice', async () => {
    const store = new MemoryRelayStore({ ...suiteLimits, memoryMaxBytes: 256, queueMaxBytes: 10_000 });
    expect(
      await store.createQueue({ recipientId: ids(1), senderId: ids(2), recipientKey: new Uint8Array(32) }, T0),
    ).toBe('created');
    expect(
      await store.createQueue({ recipientId: ids(3), senderId: ids(4), recipientKey: new Uint8Array(32) }, T0),
    ).toBe('store_full');
    expect(await store.spendToken(ids(5), T0 + 1000, T0)).toBe(true);
    expect(await store.spendToken(ids(5), T0 + 1000, T0)).toBe(false);
  });

  it('shared blobs count towards the whole budget too (with 256 bytes each), and the sweep reclaims them', async () => {
    const store = new MemoryRelayStore({ ...suiteLimits, memoryMaxBytes: 1024, sharedMaxBytes: 1_000_000 });
    const shared = (n: number, size: number, ttl = 1000) =>
      store.putShared({ sharedId: ids(n), blob: new Uint8Array(size), expiresAt: T0 + ttl }, T0);
    expect(await shared(1, 200)).toBe('stored');
    expect(store.usedBytes).toBe(456);
    expect(await shared(2, 312, 5000)).toBe('stored');
    expect(store.usedBytes).toBe(1024);
    expect(await shared(3, 1)).toBe('store_full');
    expect(
      await store.createQueue({ recipientId: ids(4), senderId: ids(5), recipientKey: new Uint8Array(32) }, T0),
    ).toBe('store_full');
    await store.sweep(T0 + 1000);
    expect(store.usedBytes).toBe(568);
    await store.sweep(T0 + 5000);
    expect(store.usedBytes).toBe(0);
  });
});
