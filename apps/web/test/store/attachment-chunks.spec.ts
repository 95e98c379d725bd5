import { ATTACHMENT_SEALED_CHUNK_BYTES } from '@opendescent/crypto';
import {
  ATTACHMENT_DELETE_BATCH,
  AttachmentChunks,
  attachmentChunkKey,
  newAttachmentLocalId,
} from '../../src/store/attachment-chunks';
import { IndexedDbRecordStore } from '../../src/store/indexeddb-record-store';
import { MemoryRecordStore } from '../../src/store/memory-record-store';
import type { RawWrite } from '../../src/store/record-store';
import { Vault } from '../../src/store/vault';
import { freshIdbFactory } from './fake-indexeddb';
import { CHEAP_KDF, expectVaultError, PASSPHRASE } from './vault-helpers';

const S = ATTACHMENT_SEALED_CHUNK_BYTES;
const ID_A = 'a'.repeat(32);
const ID_B = '0123456789abcdef0123456789abcdef';

/** Stand-ins for sealed chunks: byte j of chunk i is (i · 7 + j) mod 251, so every offset is distinct enough. */
function fakeChunk(index: number, length = S): Uint8Array {
  return Uint8Array.from({ length }, (_, j) => (index * 7 + j) % 251);
}

/** The sealed stream the fake chunks make, to compare read() against. */
function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Three chunks, the last one short: the shape of every stored file longer than 128 KiB. */
const FILE = [fakeChunk(0), fakeChunk(1), fakeChunk(2, 1_000)];
const STREAM = concat(FILE);

describe('AttachmentChunks', () => {
  it('stores chunks under a: keys in chunk order and gives each back', async () => {
    const store = new MemoryRecordStore();
    const chunks = new AttachmentChunks(store);
    await chunks.put(ID_A, 0, FILE);
    expect((await store.list('')).map((entry) => entry.key)).toEqual([
      `a:${ID_A}:00000000`,
      `a:${ID_A}:00000001`,
      `a:${ID_A}:00000002`,
    ]);
    expect(await chunks.get(ID_A, 1)).toEqual(FILE[1]);
    expect(await chunks.get(ID_A, 3)).toBeUndefined();
    expect(await chunks.count(ID_A)).toBe(3);
    expect(attachmentChunkKey(ID_A, 0x1234_abcd)).toBe(`a:${ID_A}:1234abcd`);
  });

  it('writes one batch in one store transaction, at a first index', async () => {
    const store = new MemoryRecordStore();
    const apply = jest.spyOn(store, 'apply');
    const chunks = new AttachmentChunks(store);
    await chunks.put(ID_A, 0, FILE.slice(0, 2));
    await chunks.put(ID_A, 2, FILE.slice(2));
    expect(apply).toHaveBeenCalledTimes(2);
    expect(await chunks.read(ID_A, 0, STREAM.length)).toEqual(STREAM);
  });

  it('copies values on write: a caller changing its buffer later changes nothing stored', async () => {
    const chunks = new AttachmentChunks(new MemoryRecordStore());
    const buffer = fakeChunk(0);
    await chunks.put(ID_A, 0, [buffer]);
    buffer.fill(0);
    expect(await chunks.get(ID_A, 0)).toEqual(fakeChunk(0));
  });

  it('reads ranges of the sealed stream across chunk boundaries and into the short last chunk', async () => {
    const chunks = new AttachmentChunks(new MemoryRecordStore());
    await chunks.put(ID_A, 0, FILE);
    const ranges: [number, number][] = [
      [0, 10],
      [S - 5, 10],
      [S - 1, S + 2],
      [2 * S, 1_000],
      [2 * S + 999, 1],
      [10, STREAM.length - 10],
      [S, 0],
    ];
    for (const [offset, length] of ranges)
      expect(await chunks.read(ID_A, offset, length)).toEqual(STREAM.slice(offset, offset + length));
    expect(await chunks.read(ID_A, 0, STREAM.length, 3)).toEqual(STREAM);
  });

  it('reads a range in one store read, not one per chunk, and a gap in the middle is undefined', async () => {
    const store = new MemoryRecordStore();
    const chunks = new AttachmentChunks(store);
    await chunks.put(ID_A, 0, FILE);
    const between = jest.spyOn(store, 'between');
    const get = jest.spyOn(store, 'get');
    expect(await chunks.read(ID_A, 10, STREAM.length - 10)).toEqual(STREAM.slice(10));
    expect(between).toHaveBeenCalledTimes(1);
    expect(get).not.toHaveBeenCalled();
    const into = new Uint8Array(STREAM.length - 10);
    expect(await chunks.readInto(ID_A, 10, into)).toBe(true);
    expect(into).toEqual(STREAM.slice(10));
    await store.apply([{ key: attachmentChunkKey(ID_A, 1), value: null }]);
    expect(await chunks.read(ID_A, 0, STREAM.length)).toBeUndefined();
    expect(await chunks.readInto(ID_A, 0, new Uint8Array(STREAM.length))).toBe(false);
  });

  it('refuses a range past the end of the stream (past the short last chunk, or past chunkCount)', async () => {
    const chunks = new AttachmentChunks(new MemoryRecordStore());
    await chunks.put(ID_A, 0, FILE);
    await expect(chunks.read(ID_A, 2 * S + 999, 2)).rejects.toThrow(RangeError);
    await expect(chunks.read(ID_A, S, S + 1, 2)).rejects.toThrow(RangeError);
    await expect(chunks.read(ID_A, -1, 2)).rejects.toThrow(RangeError);
    await expect(chunks.read(ID_A, 0, 1.5)).rejects.toThrow(RangeError);
  });

  it('answers undefined when a chunk the range needs is not stored', async () => {
    const chunks = new AttachmentChunks(new MemoryRecordStore());
    await chunks.put(ID_A, 0, [FILE[0] as Uint8Array]);
    expect(await chunks.read(ID_A, S - 1, 2)).toBeUndefined();
    expect(await chunks.read(ID_B, 0, 1)).toBeUndefined();
  });

  it('deletes every chunk of one file, in batches, and leaves the others', async () => {
    const store = new MemoryRecordStore();
    const chunks = new AttachmentChunks(store);
    const many = Array.from({ length: ATTACHMENT_DELETE_BATCH + 3 }, (_, i) => fakeChunk(i, 16));
    await chunks.put(ID_A, 0, many);
    await chunks.put(ID_B, 0, FILE);
    const apply = jest.spyOn(store, 'apply');
    await chunks.delete(ID_A);
    expect(apply).toHaveBeenCalledTimes(2);
    expect(await chunks.count(ID_A)).toBe(0);
    expect(await store.list(`a:${ID_A}`)).toEqual([]);
    expect(await chunks.localIds()).toEqual([ID_B]);
    expect(await chunks.bytesUsed()).toBe(STREAM.length);
    await chunks.delete(ID_A); // deleting an unknown file does nothing
  });

  it('lists local ids and sums bytes, including what an earlier session stored', async () => {
    const store = new MemoryRecordStore();
    await new AttachmentChunks(store).put(ID_B, 0, FILE);
    const chunks = new AttachmentChunks(store);
    expect(await chunks.localIds()).toEqual([ID_B]);
    expect(await chunks.bytesUsed()).toBe(STREAM.length);
    await chunks.put(ID_A, 0, [fakeChunk(0, 100)]);
    await chunks.put(ID_A, 0, [fakeChunk(0, 50)]); // replaced: counted once, at its new length
    expect(await chunks.localIds()).toEqual([ID_B, ID_A]); // key order
    expect(await chunks.bytesUsed()).toBe(STREAM.length + 50);
    expect(await chunks.count(ID_A)).toBe(1);
  });

  it('builds its index once, from the keys and the last chunk of each file only', async () => {
    const store = new MemoryRecordStore();
    await store.apply([
      { key: `a:${ID_A}:00000000`, value: fakeChunk(0, ATTACHMENT_SEALED_CHUNK_BYTES) },
      { key: `a:${ID_A}:00000001`, value: fakeChunk(1, 20) },
    ]);
    const keys = jest.spyOn(store, 'keys');
    const list = jest.spyOn(store, 'list');
    const get = jest.spyOn(store, 'get');
    const chunks = new AttachmentChunks(store);
    await Promise.all([chunks.bytesUsed(), chunks.localIds(), chunks.count(ID_A)]);
    expect(await chunks.bytesUsed()).toBe(ATTACHMENT_SEALED_CHUNK_BYTES + 20);
    expect(keys).toHaveBeenCalledTimes(1);
    expect(list).not.toHaveBeenCalled();
    // One value read: the last chunk of the one file (however many full chunks it has).
    expect(get).toHaveBeenCalledTimes(1);
    expect(get).toHaveBeenCalledWith(`a:${ID_A}:00000001`);
  });

  it('ignores entries under a: that are not chunk keys, and every other prefix', async () => {
    const store = new MemoryRecordStore();
    const foreign: RawWrite[] = [
      { key: 'a:not-a-chunk', value: Uint8Array.of(1) },
      { key: `a:${ID_A}:0000000`, value: Uint8Array.of(1) },
      { key: 'r:abc', value: Uint8Array.of(1, 2, 3) },
      { key: 'meta:vault', value: Uint8Array.of(1) },
    ];
    await store.apply(foreign);
    const chunks = new AttachmentChunks(store);
    expect(await chunks.localIds()).toEqual([]);
    expect(await chunks.bytesUsed()).toBe(0);
  });

  it('refuses a malformed local id (TypeError) and an out-of-range index', async () => {
    const chunks = new AttachmentChunks(new MemoryRecordStore());
    for (const bad of ['', 'A'.repeat(32), 'a'.repeat(31), 'a'.repeat(33), `${'a'.repeat(31)}:`, 'g'.repeat(32)]) {
      await expect(chunks.put(bad, 0, FILE)).rejects.toThrow(TypeError);
      await expect(chunks.get(bad, 0)).rejects.toThrow(TypeError);
      await expect(chunks.delete(bad)).rejects.toThrow(TypeError);
    }
    await expect(chunks.put(ID_A, -1, FILE)).rejects.toThrow(RangeError);
    await expect(chunks.put(ID_A, 0xffff_ffff, FILE)).rejects.toThrow(RangeError);
    await expect(chunks.get(ID_A, 2 ** 32)).rejects.toThrow(RangeError);
  });

  it('refuses an oversized or undersized chunk, or a value that is not bytes, writing nothing', async () => {
    const store = new MemoryRecordStore();
    const chunks = new AttachmentChunks(store);
    await expect(chunks.put(ID_A, 0, [fakeChunk(0), fakeChunk(1, S + 1)])).rejects.toThrow(RangeError);
    await expect(chunks.put(ID_A, 0, [fakeChunk(0, 15)])).rejects.toThrow(RangeError);
    await expect(chunks.put(ID_A, 0, ['text' as unknown as Uint8Array])).rejects.toThrow(TypeError);
    expect(await store.list('')).toEqual([]);
    expect(await chunks.bytesUsed()).toBe(0);
  });

  it('draws fresh local ids of the right form', () => {
    const ids = new Set(Array.from({ length: 50 }, newAttachmentLocalId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('AttachmentChunks over IndexedDbRecordStore', () => {
  it('stores, reads back after a reopen, and deletes', async () => {
    const factory = freshIdbFactory();
    const first = await IndexedDbRecordStore.open('od', factory);
    await new AttachmentChunks(first).put(ID_A, 0, FILE);
    await new AttachmentChunks(first).put(ID_B, 0, [fakeChunk(9, 16)]);
    first.close();
    const store = await IndexedDbRecordStore.open('od', factory);
    const chunks = new AttachmentChunks(store);
    expect(await chunks.localIds()).toEqual([ID_B, ID_A]);
    expect(await chunks.bytesUsed()).toBe(STREAM.length + 16);
    expect(await chunks.read(ID_A, S - 3, S + 10)).toEqual(STREAM.slice(S - 3, 2 * S + 7));
    await chunks.delete(ID_A);
    expect((await store.list('')).map((entry) => entry.key)).toEqual([`a:${ID_B}:00000000`]);
    store.close();
  });
});

describe('Vault.attachmentChunks', () => {
  it('stores chunks in the vault store, unsealed, beside the records', async () => {
    const store = new MemoryRecordStore();
    const vault = await Vault.create(store, PASSPHRASE, { kdfParams: CHEAP_KDF });
    expect(vault.attachmentChunks).toBe(vault.attachmentChunks);
    await vault.attachmentChunks.put(ID_A, 0, FILE);
    expect(await store.get(`a:${ID_A}:00000001`)).toEqual(FILE[1]);
  });

  it('is refused locked, and an instance taken earlier is refused once the vault locks', async () => {
    const store = new MemoryRecordStore();
    const vault = await Vault.create(store, PASSPHRASE, { kdfParams: CHEAP_KDF });
    const chunks = vault.attachmentChunks;
    vault.lock();
    await expectVaultError(() => vault.attachmentChunks, 'locked');
    await expectVaultError(chunks.put(ID_A, 0, FILE), 'locked');
    await expectVaultError(chunks.read(ID_A, 0, 1), 'locked');
    await expectVaultError(chunks.bytesUsed(), 'locked');
    expect(await store.list('a:')).toEqual([]);
  });

  it('goes with the store on wipe', async () => {
    const store = new MemoryRecordStore();
    const vault = await Vault.create(store, PASSPHRASE, { kdfParams: CHEAP_KDF });
    await vault.attachmentChunks.put(ID_A, 0, FILE);
    await vault.wipe();
    expect(await store.list('')).toEqual([]);
  });
});
