import { ATTACHMENT_SEALED_CHUNK_BYTES } from '@opendescent/crypto';
import { openFile, readSealed, sealFile, verifyAndStore, type SealedFile } from '../../src/messenger/attachment-files';
import { VerifyingWriter } from '../../src/messenger/attachment-verifying-writer';
import { newAttachmentLocalId, type AttachmentChunks } from '../../src/store/attachment-chunks';
import type { MemoryRecordStore } from '../../src/store/memory-record-store';
import {
  cut,
  emptyChunks,
  expectCryptoError,
  expectFileError,
  expectSameBytes,
  randomFile,
} from './attachment-support';

const S = ATTACHMENT_SEALED_CHUNK_BYTES;

/** A file sealed on a sender's device: its bytes, what the message carries, and the ciphertext the relay serves. */
interface Sent {
  readonly file: Uint8Array;
  readonly message: SealedFile;
  readonly stream: Uint8Array;
}

async function send(size: number): Promise<Sent> {
  const { chunks } = emptyChunks();
  const file = randomFile(size);
  const message = await sealFile(chunks, new Blob([file]));
  return { file, message, stream: await readSealed(chunks, message.localId, 0, message.length) };
}

async function* pieces(bytes: Uint8Array, lengths: readonly number[]): AsyncGenerator<Uint8Array> {
  for (const piece of cut(bytes, lengths)) yield piece;
}

async function expectOpensTo(chunks: AttachmentChunks, localId: string, sent: Sent): Promise<void> {
  const blob = await openFile(chunks, localId, sent.message, 'text/plain');
  expectSameBytes(new Uint8Array(await blob.arrayBuffer()), sent.file);
}

async function expectEmpty(store: MemoryRecordStore, chunks: AttachmentChunks): Promise<void> {
  expect(await store.list('')).toEqual([]);
  expect(await chunks.bytesUsed()).toBe(0);
}

let sent: Sent;
beforeAll(async () => {
  // Four chunks, the last one short.
  sent = await send(200_000);
});

describe('VerifyingWriter stores a download it has checked', () => {
  it.each([
    ['one byte at a time, then large', [1, 1, 1, 70_000, 150_000]],
    ['whole sealed chunks', [S]],
    ['pieces across chunk boundaries', [1_000, S - 999, 3, 100_003]],
    ['the whole stream at once', [10_000_000]],
  ])('from %s', async (_, lengths) => {
    const { chunks } = emptyChunks();
    const localId = newAttachmentLocalId();
    const writer = await VerifyingWriter.create(chunks, localId, sent.message, { batchChunks: 2 });
    expect(writer.length).toBe(sent.stream.length);
    for (const piece of cut(sent.stream, lengths)) await writer.write(piece);
    await writer.finish();
    expect(await chunks.count(localId)).toBe(sent.message.chunkCount);
    expectSameBytes(await readSealed(chunks, localId, 0, sent.message.length), sent.stream);
    await expectOpensTo(chunks, localId, sent);
  });

  it('keeps the order of writes a caller does not await', async () => {
    const { chunks } = emptyChunks();
    const localId = newAttachmentLocalId();
    const writer = await VerifyingWriter.create(chunks, localId, sent.message);
    const writes = [...cut(sent.stream, [5_000, 77_777])].map((piece) => writer.write(piece));
    await Promise.all([...writes, writer.finish()]);
    await expectOpensTo(chunks, localId, sent);
  });

  it('stores an empty file (one chunk of a tag only)', async () => {
    const empty = await send(0);
    const { chunks } = emptyChunks();
    const localId = newAttachmentLocalId();
    await verifyAndStore(chunks, localId, empty.message, pieces(empty.stream, [3]));
    await expectOpensTo(chunks, localId, empty);
  });

  it('reports the sealed bytes stored after every batch', async () => {
    const { chunks } = emptyChunks();
    const progress: number[] = [];
    await verifyAndStore(chunks, newAttachmentLocalId(), sent.message, pieces(sent.stream, [40_000]), {
      batchChunks: 1,
      onProgress: (done, total) => {
        expect(total).toBe(sent.stream.length);
        progress.push(done);
      },
    });
    expect(progress).toEqual([S, 2 * S, 3 * S, sent.stream.length]);
  });

  it('refuses a second file under a local id that holds one (already_stored), leaving it intact', async () => {
    const { chunks } = emptyChunks();
    const localId = newAttachmentLocalId();
    await verifyAndStore(chunks, localId, sent.message, pieces(sent.stream, [S]));
    await expectFileError(VerifyingWriter.create(chunks, localId, sent.message), 'already_stored');
    await expectOpensTo(chunks, localId, sent);
  });

  it('refuses storage_full before anything is written', async () => {
    const { store, chunks } = emptyChunks();
    const budgetBytes = sent.stream.length - 1;
    await expectFileError(
      VerifyingWriter.create(chunks, newAttachmentLocalId(), sent.message, { budgetBytes }),
      'storage_full',
    );
    await expectEmpty(store, chunks);
  });

  it('refuses a malformed key or digest before anything is written', async () => {
    const { chunks } = emptyChunks();
    const localId = newAttachmentLocalId();
    await expectCryptoError(
      VerifyingWriter.create(chunks, localId, { ...sent.message, key: new Uint8Array(31) }),
      'bad_length',
    );
    await expectCryptoError(
      VerifyingWriter.create(chunks, localId, { ...sent.message, digest: new Uint8Array(0) }),
      'bad_length',
    );
  });
});

describe('VerifyingWriter leaves nothing stored after a bad download', () => {
  /** Feeds `stream` to a writer with small batches (so earlier chunks are stored before the failure). */
  async function download(stream: Uint8Array, message: SealedFile = sent.message) {
    const { store, chunks } = emptyChunks();
    const action = verifyAndStore(chunks, newAttachmentLocalId(), message, pieces(stream, [10_000]), {
      batchChunks: 1,
    });
    return { store, chunks, action };
  }

  it('refuses auth_failed for a flipped bit in the last chunk', async () => {
    const stream = sent.stream.slice();
    stream[stream.length - 20] = (stream[stream.length - 20] as number) ^ 0x80;
    const { store, chunks, action } = await download(stream);
    await expectCryptoError(action, 'auth_failed');
    await expectEmpty(store, chunks);
  });

  it('refuses auth_failed for reordered chunks', async () => {
    const stream = sent.stream.slice();
    stream.set(sent.stream.subarray(S, 2 * S), 0);
    stream.set(sent.stream.subarray(0, S), S);
    const { store, chunks, action } = await download(stream);
    await expectCryptoError(action, 'auth_failed');
    await expectEmpty(store, chunks);
  });

  it('refuses attachment_truncated for a stream cut inside a chunk or at a chunk boundary', async () => {
    for (const end of [sent.stream.length - 1, 3 * S, S + 5]) {
      const { store, chunks, action } = await download(sent.stream.subarray(0, end));
      await expectCryptoError(action, 'attachment_truncated');
      await expectEmpty(store, chunks);
    }
  });

  it('refuses attachment_oversized for bytes after the last chunk', async () => {
    const stream = new Uint8Array(sent.stream.length + 1);
    stream.set(sent.stream);
    const { store, chunks, action } = await download(stream);
    await expectCryptoError(action, 'attachment_oversized');
    await expectEmpty(store, chunks);
  });

  it('refuses attachment_digest when the message names another digest', async () => {
    const { store, chunks, action } = await download(sent.stream, { ...sent.message, digest: new Uint8Array(32) });
    await expectCryptoError(action, 'attachment_digest');
    await expectEmpty(store, chunks);
  });

  it('refuses auth_failed for a stream under another key (a chunk swapped in from another file)', async () => {
    const other = await send(200_000);
    const { store, chunks, action } = await download(other.stream);
    await expectCryptoError(action, 'auth_failed');
    await expectEmpty(store, chunks);
  });

  it('passes on the source error (a dropped download) and deletes what was stored', async () => {
    const { store, chunks } = emptyChunks();
    async function* dropping(): AsyncGenerator<Uint8Array> {
      yield sent.stream.subarray(0, 3 * S);
      throw new Error('network dropped');
    }
    const action = verifyAndStore(chunks, newAttachmentLocalId(), sent.message, dropping(), { batchChunks: 1 });
    await expect(action).rejects.toThrow('network dropped');
    await expectEmpty(store, chunks);
  });

  it('refuses cancelled when the signal fires mid-way', async () => {
    const { store, chunks } = emptyChunks();
    const controller = new AbortController();
    const action = verifyAndStore(chunks, newAttachmentLocalId(), sent.message, pieces(sent.stream, [S]), {
      batchChunks: 1,
      signal: controller.signal,
      onProgress: (done) => done >= 2 * S && controller.abort(),
    });
    await expectFileError(action, 'cancelled');
    await expectEmpty(store, chunks);
  });

  it('deletes what was stored on abort(); later writes are refused cancelled', async () => {
    const { store, chunks } = emptyChunks();
    const writer = await VerifyingWriter.create(chunks, newAttachmentLocalId(), sent.message, { batchChunks: 1 });
    await writer.write(sent.stream.subarray(0, 2 * S + 1));
    expect(await chunks.bytesUsed()).toBe(2 * S);
    await writer.abort();
    await expectEmpty(store, chunks);
    await expectFileError(writer.write(sent.stream.subarray(2 * S + 1)), 'cancelled');
    await expectFileError(writer.finish(), 'cancelled');
    await writer.abort(); // idempotent
  });

  it('repeats its first refusal on every later call', async () => {
    const { chunks } = emptyChunks();
    const writer = await VerifyingWriter.create(chunks, newAttachmentLocalId(), sent.message);
    const bad = sent.stream.slice(0, S);
    bad[0] = (bad[0] as number) ^ 1;
    await expectCryptoError(writer.write(bad), 'auth_failed');
    await expectCryptoError(writer.write(sent.stream.subarray(S, 2 * S)), 'auth_failed');
    await expectCryptoError(writer.finish(), 'auth_failed');
  });

  it('keeps a finished file when abort() comes late, and refuses more bytes', async () => {
    const { chunks } = emptyChunks();
    const localId = newAttachmentLocalId();
    const writer = await VerifyingWriter.create(chunks, localId, sent.message);
    await writer.write(sent.stream);
    await writer.finish();
    await writer.abort();
    await expect(writer.write(Uint8Array.of(0))).rejects.toThrow(TypeError);
    await expectOpensTo(chunks, localId, sent);
  });
});
