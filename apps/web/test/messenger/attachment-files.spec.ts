import {
  ATTACHMENT_SEALED_CHUNK_BYTES,
  attachmentChunkCount,
  attachmentCiphertextLength,
  decryptAttachment,
} from '@opendescent/crypto';
import {
  collectOrphans,
  openFile,
  readSealed,
  sealFile,
  sealedReader,
  type SealedFile,
} from '../../src/messenger/attachment-files';
import type { AttachmentChunks } from '../../src/store/attachment-chunks';
import type { MemoryRecordStore } from '../../src/store/memory-record-store';
import { emptyChunks, expectCryptoError, expectFileError, expectSameBytes, randomFile } from './attachment-support';

const WINDOW = 64;

/** Polynomial hash of bytes [start, start + WINDOW) (mod 2^32), rolled one byte at a time below. */
const BASE = 257;
const BASE_POW = Array.from({ length: WINDOW - 1 }).reduce<number>((power) => Math.imul(power, BASE) >>> 0, 1);

function windowHashes(bytes: Uint8Array, visit: (hash: number, start: number) => void): void {
  if (bytes.length < WINDOW) return;
  let hash = 0;
  for (let i = 0; i < WINDOW; i++) hash = (Math.imul(hash, BASE) + (bytes[i] as number)) >>> 0;
  visit(hash, 0);
  for (let start = 1; start + WINDOW <= bytes.length; start++) {
    hash = (hash - Math.imul(bytes[start - 1] as number, BASE_POW)) >>> 0;
    hash = (Math.imul(hash, BASE) + (bytes[start + WINDOW - 1] as number)) >>> 0;
    visit(hash, start);
  }
}

/** Whether any WINDOW-byte run of `file` appears anywhere in `value` (Rabin-Karp). */
function sharesAWindow(file: Uint8Array, fileWindows: Map<number, number[]>, value: Uint8Array): boolean {
  let found = false;
  windowHashes(value, (hash, start) => {
    for (const at of fileWindows.get(hash) ?? []) {
      if (file.subarray(at, at + WINDOW).every((byte, i) => byte === value[start + i])) found = true;
    }
  });
  return found;
}

async function sealBytes(chunks: AttachmentChunks, bytes: Uint8Array, options = {}): Promise<SealedFile> {
  return sealFile(chunks, new Blob([bytes.slice()]), options);
}

async function opened(chunks: AttachmentChunks, sealed: SealedFile, type = 'application/octet-stream') {
  const blob = await openFile(chunks, sealed.localId, sealed, type);
  return { type: blob.type, bytes: new Uint8Array(await blob.arrayBuffer()) };
}

async function* oneShot(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

async function storedBytes(store: MemoryRecordStore): Promise<number> {
  return (await store.list('')).reduce((sum, entry) => sum + entry.value.length, 0);
}

describe('sealFile then openFile', () => {
  it.each([0, 1, 65_536, 65_537, 1_048_583])('gives back the same %i bytes', async (size) => {
    const { store, chunks } = emptyChunks();
    const file = randomFile(size);
    const progress: [number, number][] = [];
    const sealed = await sealBytes(chunks, file, {
      onProgress: (done: number, total: number) => progress.push([done, total]),
    });
    expect(sealed).toMatchObject({
      size,
      length: attachmentCiphertextLength(size),
      chunkCount: attachmentChunkCount(size),
    });
    expect(sealed.localId).toMatch(/^[0-9a-f]{32}$/);
    expect(await chunks.count(sealed.localId)).toBe(sealed.chunkCount);
    expect(await storedBytes(store)).toBe(sealed.length);
    expect(progress.at(-1)).toEqual([sealed.length, sealed.length]);
    const { type, bytes } = await opened(chunks, sealed, 'image/png');
    expect(type).toBe('image/png');
    expectSameBytes(bytes, file);
  });

  it('stores the ciphertext the uploader sends: it decrypts to the file and matches the digest', async () => {
    const { chunks } = emptyChunks();
    const file = randomFile(200_000);
    const sealed = await sealBytes(chunks, file);
    const stream = await readSealed(chunks, sealed.localId, 0, sealed.length);
    const parts: Uint8Array<ArrayBuffer>[] = [];
    for await (const part of decryptAttachment(oneShot(stream), sealed)) parts.push(part.slice());
    expectSameBytes(new Uint8Array(await new Blob(parts).arrayBuffer()), file);
    const middle = ATTACHMENT_SEALED_CHUNK_BYTES - 10;
    expect(await readSealed(chunks, sealed.localId, middle, 30)).toEqual(stream.slice(middle, middle + 30));
  });

  it("the upload's reader fills two buffers in turn with the same ciphertext as readSealed", async () => {
    const { chunks } = emptyChunks();
    const sealed = await sealBytes(chunks, randomFile(300_000));
    const stream = await readSealed(chunks, sealed.localId, 0, sealed.length);
    const read = sealedReader(chunks, sealed.localId);
    const size = 100_000;
    const given: Uint8Array[] = [];
    for (let offset = 0; offset < sealed.length; offset += size) {
      const bytes = await read(offset, Math.min(size, sealed.length - offset));
      expect(bytes).toEqual(stream.slice(offset, offset + bytes.length));
      given.push(bytes);
    }
    // Four requests: buffers A, B, A again, then a fresh one for the shorter last request.
    expect(given).toHaveLength(4);
    expect(given[2]).toBe(given[0]);
    expect(given[1]).not.toBe(given[0]);
  });

  it('stores no 64-byte window of the file in any stored value', async () => {
    const { store, chunks } = emptyChunks();
    const file = randomFile(300_000);
    const fileWindows = new Map<number, number[]>();
    windowHashes(file, (hash, start) => fileWindows.set(hash, [...(fileWindows.get(hash) ?? []), start]));
    await sealBytes(chunks, file);
    const entries = await store.list('');
    expect(entries.length).toBe(attachmentChunkCount(file.length));
    // The check finds a window when there is one: the file itself shares all of them.
    expect(sharesAWindow(file, fileWindows, file.subarray(1_000, 1_100))).toBe(true);
    for (const { value } of entries) expect(sharesAWindow(file, fileWindows, value)).toBe(false);
  });

  it('seals the same file twice under two keys, two local ids, two ciphertexts', async () => {
    const { chunks } = emptyChunks();
    const file = randomFile(1_000);
    const [a, b] = [await sealBytes(chunks, file), await sealBytes(chunks, file)];
    expect(a.localId).not.toBe(b.localId);
    expect(a.key).not.toEqual(b.key);
    expect(a.digest).not.toEqual(b.digest);
  });
});

describe('sealFile reads the file a batch at a time', () => {
  it('asks the Blob for one slice per store batch, not one per chunk, and the bytes come out the same', async () => {
    const { chunks } = emptyChunks();
    const file = randomFile(5 * 65_536 + 1_000);
    const real = new Blob([file.slice()]);
    const slices: [number, number][] = [];
    const counted = {
      size: real.size,
      slice: (start: number, end: number) => (slices.push([start, end]), real.slice(start, end)),
    } as unknown as Blob;
    const sealed = await sealFile(chunks, counted, { batchChunks: 4 });
    // 6 chunks of the file (the padded tail included) in batches of 4: two reads, end to end.
    expect(slices).toEqual([
      [0, 4 * 65_536],
      [4 * 65_536, file.length],
    ]);
    expectSameBytes((await opened(chunks, sealed)).bytes, file);
  });
});

describe('sealFile refusals leave nothing stored', () => {
  it('refuses storage_full when the file would pass the budget, before writing anything', async () => {
    const { store, chunks } = emptyChunks();
    const first = await sealBytes(chunks, randomFile(1_000));
    const length = attachmentCiphertextLength(5_000);
    await expectFileError(
      sealBytes(chunks, randomFile(5_000), { budgetBytes: first.length + length - 1 }),
      'storage_full',
    );
    expect(await storedBytes(store)).toBe(first.length);
    await sealBytes(chunks, randomFile(5_000), { budgetBytes: first.length + length });
    expect(await storedBytes(store)).toBe(first.length + length);
  });

  it('deletes what it stored when cancelled mid-way', async () => {
    const { store, chunks } = emptyChunks();
    const controller = new AbortController();
    let stored = 0;
    const sealing = sealBytes(chunks, randomFile(400_000), {
      batchChunks: 1,
      signal: controller.signal,
      onProgress: (done: number) => {
        stored = done;
        if (done > 2 * ATTACHMENT_SEALED_CHUNK_BYTES) controller.abort();
      },
    });
    await expectFileError(sealing, 'cancelled');
    expect(stored).toBe(3 * ATTACHMENT_SEALED_CHUNK_BYTES);
    expect(await store.list('')).toEqual([]);
    expect(await chunks.bytesUsed()).toBe(0);
  });

  it('refuses cancelled at once for a signal aborted before it starts', async () => {
    const { store, chunks } = emptyChunks();
    await expectFileError(sealBytes(chunks, randomFile(10), { signal: AbortSignal.abort() }), 'cancelled');
    expect(await store.list('')).toEqual([]);
  });

  it('refuses read_failed for a file that becomes unreadable or shorter while it is read', async () => {
    const { store, chunks } = emptyChunks();
    const real = new Blob([randomFile(300_000)]);
    let reads = 0;
    const vanishing = {
      size: real.size,
      slice: (start: number, end: number) => {
        if (++reads > 2) return { arrayBuffer: () => Promise.reject(new DOMException('gone', 'NotReadableError')) };
        return real.slice(start, end);
      },
    } as unknown as Blob;
    await expectFileError(sealFile(chunks, vanishing, { batchChunks: 1 }), 'read_failed');
    const shrunk = { size: real.size, slice: (start: number) => real.slice(start, start + 10) } as unknown as Blob;
    await expectFileError(sealFile(chunks, shrunk), 'read_failed');
    expect(await store.list('')).toEqual([]);
  });

  it('deletes what it stored when the store fails mid-way, and passes the store error on', async () => {
    const { store, chunks } = emptyChunks();
    const apply = store.apply.bind(store);
    let writes = 0;
    jest.spyOn(store, 'apply').mockImplementation(async (batch) => {
      if (batch.some((write) => write.value !== null) && ++writes === 3) throw new Error('QuotaExceededError');
      return apply(batch);
    });
    await expect(sealBytes(chunks, randomFile(300_000), { batchChunks: 1 })).rejects.toThrow('QuotaExceededError');
    expect(await store.list('')).toEqual([]);
  });

  it('refuses a batch size that is not a positive integer', async () => {
    const { chunks } = emptyChunks();
    await expect(sealBytes(chunks, randomFile(10), { batchChunks: 0 })).rejects.toThrow(RangeError);
  });
});

describe('openFile refusals', () => {
  async function sealedFile(size = 200_000) {
    const { store, chunks } = emptyChunks();
    const sealed = await sealBytes(chunks, randomFile(size));
    return { store, chunks, sealed };
  }

  it('refuses auth_failed for a stored chunk with a flipped bit', async () => {
    const { store, chunks, sealed } = await sealedFile();
    const key = `a:${sealed.localId}:00000001`;
    const value = (await store.get(key)) as Uint8Array;
    value[100] = (value[100] as number) ^ 0x01;
    await store.apply([{ key, value }]);
    await expectCryptoError(openFile(chunks, sealed.localId, sealed, ''), 'auth_failed');
  });

  it('refuses auth_failed for stored chunks that were reordered', async () => {
    const { chunks, sealed } = await sealedFile();
    const [zero, one] = [await chunks.get(sealed.localId, 0), await chunks.get(sealed.localId, 1)];
    await chunks.put(sealed.localId, 0, [one as Uint8Array, zero as Uint8Array]);
    await expectCryptoError(openFile(chunks, sealed.localId, sealed, ''), 'auth_failed');
  });

  it('refuses attachment_digest when the message names another digest', async () => {
    const { chunks, sealed } = await sealedFile();
    await expectCryptoError(
      openFile(chunks, sealed.localId, { ...sealed, digest: new Uint8Array(32) }, ''),
      'attachment_digest',
    );
  });

  it('refuses not_found for a file with a chunk missing, or deleted', async () => {
    const { store, chunks, sealed } = await sealedFile();
    await store.apply([{ key: `a:${sealed.localId}:00000002`, value: null }]);
    await expectFileError(openFile(chunks, sealed.localId, sealed, ''), 'not_found');
    await chunks.delete(sealed.localId);
    await expectFileError(openFile(chunks, sealed.localId, sealed, ''), 'not_found');
    await expectFileError(readSealed(chunks, sealed.localId, 0, 10), 'not_found');
    await expectFileError(sealedReader(chunks, sealed.localId)(0, 10), 'not_found');
  });
});

describe('collectOrphans', () => {
  it('deletes the files no message names and keeps the others', async () => {
    const { chunks } = emptyChunks();
    const kept = await sealBytes(chunks, randomFile(70_000));
    const orphan = await sealBytes(chunks, randomFile(1_000));
    const deleted = await collectOrphans(chunks, new Set([kept.localId, 'f'.repeat(32)]));
    expect(deleted).toEqual([orphan.localId]);
    expect(await chunks.localIds()).toEqual([kept.localId]);
    expect(await chunks.bytesUsed()).toBe(kept.length);
    expect(await collectOrphans(chunks, new Set([kept.localId]))).toEqual([]);
  });
});
