/**
 * Attachment files on the device (docs/protocol/attachments.md §2), on the worker side: a picked
 * file is sealed into chunks kept in the store (store/attachment-chunks.ts), the uploader reads
 * ciphertext from them, a download is checked as it is stored (attachment-verifying-writer.ts),
 * and a file is opened into a Blob for the page. No DOM: Blob and File exist in workers.
 *
 * The chunks under a local id are kept only once a message record names that id with its key,
 * size and digest: until then they are orphans, which collectOrphans deletes at start.
 */
import {
  ATTACHMENT_CHUNK_BYTES,
  AttachmentDecryptor,
  AttachmentEncryptor,
  attachmentChunkLengths,
  type AttachmentDecryptParams,
  type AttachmentFormatVersion,
} from '@opendescent/crypto';
import { UploadBuffers } from '@opendescent/relay-client';
import { newAttachmentLocalId, type AttachmentChunks } from '../store/attachment-chunks';
import { AttachmentFileError } from './attachment-file-error';
import { checkStorageBudget } from './attachment-storage-budget';
import {
  checkedBatchChunks,
  throwIfCancelled,
  VerifyingWriter,
  type AttachmentStoreOptions,
} from './attachment-verifying-writer';

export { AttachmentFileError, isAttachmentFileError, type AttachmentFileErrorCode } from './attachment-file-error';
export { ATTACHMENT_STORAGE_BUDGET_BYTES } from './attachment-storage-budget';
export {
  DEFAULT_STORE_BATCH_CHUNKS,
  VerifyingWriter,
  type AttachmentStoreOptions,
} from './attachment-verifying-writer';
export { makeThumbnail, type AttachmentThumbnail } from './attachment-thumbnail';
export { newAttachmentLocalId } from '../store/attachment-chunks';

/** A file sealed and stored on the device: what its message and its upload need. */
export interface SealedFile {
  readonly localId: string;
  /** K, for the message only (attachments.md §3); never logged. */
  readonly key: Uint8Array;
  /** The ciphertext's digest, in format `version` (attachments.md §2.2). */
  readonly digest: Uint8Array;
  readonly version: AttachmentFormatVersion;
  /** The file's bytes. */
  readonly size: number;
  /** The ciphertext's bytes: what attach_create declares and the upload sends. */
  readonly length: number;
  readonly chunkCount: number;
}

/**
 * Seals `file` under a fresh key and stores its chunks under a fresh local id. Reads the file one
 * batch of chunks at a time (1 MiB by default: one Blob read per batch, not per 64 KiB chunk, which
 * in a browser worker is a round trip to the browser process each) and holds at most that batch,
 * in plaintext and sealed. Refusals: 'storage_full' (checked first, nothing written), 'cancelled',
 * 'read_failed' (the file changed or vanished on disk), or a store error; after any of them
 * nothing is left stored.
 */
export async function sealFile(
  chunks: AttachmentChunks,
  file: Blob,
  options: AttachmentStoreOptions = {},
  localId: string = newAttachmentLocalId(),
): Promise<SealedFile> {
  const batchChunks = checkedBatchChunks(options.batchChunks);
  throwIfCancelled(options.signal);
  const encryptor = await AttachmentEncryptor.create(file.size, { backend: 'webcrypto' });
  const { size, chunkCount, ciphertextLength: length } = encryptor;
  await checkStorageBudget(chunks, length, options.budgetBytes);
  try {
    let stored = 0;
    for (let first = 0; first < chunkCount; first += batchChunks) {
      throwIfCancelled(options.signal);
      const end = Math.min(chunkCount, first + batchChunks);
      const fileBytes = await readChunks(file, size, first, end);
      const batch: Uint8Array[] = [];
      let at = 0;
      for (let index = first; index < end; index++) {
        const n = attachmentChunkLengths(size, index).fileBytes;
        batch.push(await encryptor.sealChunk(index, fileBytes.subarray(at, at + n)));
        at += n;
      }
      fileBytes.fill(0);
      await chunks.put(localId, first, batch);
      stored += batch.reduce((sum, chunk) => sum + chunk.length, 0);
      options.onProgress?.(stored, length);
    }
    const { key, version } = encryptor;
    return { localId, key, digest: encryptor.digest(), version, size, length, chunkCount };
  } catch (error) {
    await chunks.delete(localId).catch(() => undefined);
    throw error;
  }
}

/** The file's bytes of chunks [first, end), [first · 64 KiB, …), read from the Blob at once. */
async function readChunks(file: Blob, size: number, first: number, end: number): Promise<Uint8Array> {
  const start = first * ATTACHMENT_CHUNK_BYTES;
  const expected = Math.max(0, Math.min(size, end * ATTACHMENT_CHUNK_BYTES) - start);
  if (expected === 0) return new Uint8Array(0);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await file.slice(start, start + expected).arrayBuffer());
  } catch (error) {
    throw new AttachmentFileError('read_failed', 'the file could not be read', { cause: error });
  }
  if (bytes.length !== expected) throw new AttachmentFileError('read_failed', 'the file changed while it was read');
  return bytes;
}

/**
 * Stores a downloaded file under `localId` (which must hold nothing yet), checking every chunk and
 * the digest on the way (VerifyingWriter); `source` yields the ciphertext in pieces of any size.
 * On any refusal, including the source's own error, deletes what it stored and rethrows.
 */
export async function verifyAndStore(
  chunks: AttachmentChunks,
  localId: string,
  params: AttachmentDecryptParams,
  source: AsyncIterable<Uint8Array>,
  options: AttachmentStoreOptions = {},
): Promise<void> {
  const writer = await VerifyingWriter.create(chunks, localId, params, options);
  try {
    for await (const piece of source) await writer.write(piece);
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** Plaintext chunks gathered before they are handed to a Blob, which a browser may keep on disk. */
const BLOB_PART_CHUNKS = 16;

/**
 * Decrypts a stored file into a Blob of `type` (the one handle the page can save or show, and
 * which Chromium keeps on disk when large). A stored chunk that fails is the CryptoError
 * (corruption: 'auth_failed', 'attachment_padding', 'attachment_digest', 'bad_length'); a missing
 * one is AttachmentFileError('not_found').
 */
export async function openFile(
  chunks: AttachmentChunks,
  localId: string,
  params: AttachmentDecryptParams,
  type: string,
): Promise<Blob> {
  const decryptor = await AttachmentDecryptor.create(params, { backend: 'webcrypto' });
  let blob = new Blob([]);
  let parts: Uint8Array<ArrayBuffer>[] = [];
  for (let index = 0; index < decryptor.chunkCount; index++) {
    const sealed = await chunks.get(localId, index);
    if (sealed === undefined) throw new AttachmentFileError('not_found', `chunk ${index} of the file is not stored`);
    // Copied only to type it as ArrayBuffer-backed, which a BlobPart must be (64 KiB: cheap next to AES).
    parts.push((await decryptor.openChunk(index, sealed)).slice());
    if (parts.length === BLOB_PART_CHUNKS) {
      blob = new Blob([blob, ...parts]);
      parts = [];
    }
  }
  decryptor.finish();
  return new Blob([blob, ...parts], { type });
}

/**
 * The ciphertext bytes [offset, offset + length), for the uploader's `read`. A range past the end
 * of the stream is a RangeError; a missing chunk AttachmentFileError('not_found').
 */
export async function readSealed(
  chunks: AttachmentChunks,
  localId: string,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  const bytes = await chunks.read(localId, offset, length);
  if (bytes === undefined) throw missingChunk();
  return bytes;
}

/**
 * readSealed for one upload, filling two buffers in turn (relay-client's UploadBuffers: the
 * uploader is done with a read's bytes two reads later) rather than one new buffer per request.
 */
export function sealedReader(
  chunks: AttachmentChunks,
  localId: string,
): (offset: number, length: number) => Promise<Uint8Array> {
  const buffers = new UploadBuffers();
  return async (offset, length) => {
    const out = buffers.take(length);
    if (!(await chunks.readInto(localId, offset, out))) throw missingChunk();
    return out;
  };
}

const missingChunk = () => new AttachmentFileError('not_found', 'a chunk of the range is not stored');

/**
 * Deletes every file whose local id is not in `known` (the ids the message records name): files
 * sealed or downloaded but never committed in a message. Returns the ids it deleted. Run it at
 * start, before any transfer: a file being sealed or downloaded is not in `known` yet.
 */
export async function collectOrphans(chunks: AttachmentChunks, known: ReadonlySet<string>): Promise<string[]> {
  const orphans = (await chunks.localIds()).filter((localId) => !known.has(localId));
  for (const localId of orphans) await chunks.delete(localId);
  return orphans;
}
