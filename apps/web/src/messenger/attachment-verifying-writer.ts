/**
 * A downloaded attachment written to the device as it arrives (docs/protocol/attachments.md §2.4):
 * the ciphertext comes in pieces of any size (relay-client's downloadAttachment hands each one to a
 * `write` callback), is re-cut at sealed-chunk boundaries, and each chunk is opened before it is
 * stored, so only chunks that pass their tag reach the store. The plaintext is dropped at once:
 * opening here only checks; openFile decrypts again when the file is shown.
 *
 * All or nothing: any refusal (a bad tag, a truncated, oversized or padded stream, a wrong digest,
 * a store failure, a cancel) deletes every chunk written so far, so a bad download leaves nothing.
 * A crash mid-download leaves chunks under a local id that no message record names:
 * collectOrphans removes them at the next start.
 */
import {
  ATTACHMENT_SEALED_CHUNK_BYTES,
  AttachmentDecryptor,
  CryptoError,
  attachmentChunkLengths,
  type AttachmentDecryptParams,
} from '@opendescent/crypto';
import { isBytes } from '../store/record-store';
import type { AttachmentChunks } from '../store/attachment-chunks';
import { AttachmentFileError } from './attachment-file-error';
import { checkStorageBudget } from './attachment-storage-budget';

/** Chunks per store transaction: 16 × 64 KiB = 1 MiB, the most a transfer holds at once. */
export const DEFAULT_STORE_BATCH_CHUNKS = 16;

/** What storing a file takes, whether sealed here (sealFile) or downloaded (VerifyingWriter). */
export interface AttachmentStoreOptions {
  /** Cancels: the operation rejects AttachmentFileError('cancelled') and deletes what it stored. */
  readonly signal?: AbortSignal;
  /** Sealed bytes stored so far and in all (the ciphertext length), after each stored batch. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Chunks per store transaction (default DEFAULT_STORE_BATCH_CHUNKS). */
  readonly batchChunks?: number;
  /** The device's attachment budget (default ATTACHMENT_STORAGE_BUDGET_BYTES); tests pass a small one. */
  readonly budgetBytes?: number;
}

type WriterState = 'open' | 'finished' | 'failed';

export class VerifyingWriter {
  readonly #chunks: AttachmentChunks;
  readonly #decryptor: AttachmentDecryptor;
  readonly #options: AttachmentStoreOptions;
  readonly #batchChunks: number;
  readonly #buffer = new Uint8Array(ATTACHMENT_SEALED_CHUNK_BYTES);
  #filled = 0;
  #sealedBytes: number;
  #batch: Uint8Array[] = [];
  #batchStart = 0;
  #stored = 0;
  #state: WriterState = 'open';
  #failure: unknown;
  /** Calls run one after another even when a caller does not await them. */
  #tail: Promise<void> = Promise.resolve();

  private constructor(
    chunks: AttachmentChunks,
    readonly localId: string,
    decryptor: AttachmentDecryptor,
    options: AttachmentStoreOptions,
  ) {
    this.#chunks = chunks;
    this.#decryptor = decryptor;
    this.#options = options;
    this.#batchChunks = checkedBatchChunks(options.batchChunks);
    this.#sealedBytes = attachmentChunkLengths(decryptor.size, 0).sealedBytes;
  }

  /**
   * A writer of the file described by `params` (from the message) under `localId`, which must hold
   * no chunk yet ('already_stored'; newAttachmentLocalId gives a fresh one). Checks the budget
   * first ('storage_full'); a key or digest of the wrong length is CryptoError('bad_length'), a
   * size outside the format CryptoError('bad_parameter'). Nothing is written by a refusal here.
   */
  static async create(
    chunks: AttachmentChunks,
    localId: string,
    params: AttachmentDecryptParams,
    options: AttachmentStoreOptions = {},
  ): Promise<VerifyingWriter> {
    checkedBatchChunks(options.batchChunks);
    throwIfCancelled(options.signal);
    const decryptor = await AttachmentDecryptor.create(params, { backend: 'webcrypto' });
    if ((await chunks.count(localId)) > 0)
      throw new AttachmentFileError('already_stored', 'chunks are already held under this local id');
    await checkStorageBudget(chunks, decryptor.ciphertextLength, options.budgetBytes);
    return new VerifyingWriter(chunks, localId, decryptor, options);
  }

  /** The ciphertext length the file's size implies: what the download must deliver. */
  get length(): number {
    return this.#decryptor.ciphertextLength;
  }

  get chunkCount(): number {
    return this.#decryptor.chunkCount;
  }

  /**
   * Takes the next piece of the ciphertext. Rejects, after deleting what was stored: CryptoError
   * 'auth_failed', 'attachment_padding', 'attachment_oversized' (bytes past the last chunk);
   * AttachmentFileError 'cancelled'; a store error as it is. Every later call rejects the same way.
   */
  write(piece: Uint8Array): Promise<void> {
    return this.#serially(() => this.#write(piece));
  }

  /**
   * Checks the end of the stream (CryptoError 'attachment_truncated' when it stopped early or
   * inside a chunk, 'attachment_digest' when it is not the file the message names) and stores the
   * last batch. Once it resolves, the whole file is stored and checked.
   */
  finish(): Promise<void> {
    return this.#serially(() => this.#finish());
  }

  /**
   * Gives up: deletes what was stored; later calls reject 'cancelled'. Does nothing once the writer
   * failed (its chunks are gone already) or finished (the file is complete: AttachmentChunks.delete
   * removes it).
   */
  abort(): Promise<void> {
    const run = this.#tail.then(async () => {
      if (this.#state === 'open') await this.#fail(new AttachmentFileError('cancelled', 'the download was abandoned'));
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  #serially(step: () => Promise<void>): Promise<void> {
    const run = this.#tail.then(async () => {
      if (this.#state === 'failed') throw this.#failure;
      if (this.#state === 'finished') throw new TypeError('VerifyingWriter: the file is finished already');
      try {
        throwIfCancelled(this.#options.signal);
        await step();
      } catch (error) {
        await this.#fail(error);
        throw error;
      }
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #write(piece: Uint8Array): Promise<void> {
    if (!isBytes(piece)) throw new TypeError('VerifyingWriter.write: a piece must be a Uint8Array');
    const decryptor = this.#decryptor;
    for (let offset = 0; offset < piece.length;) {
      if (decryptor.nextChunk === decryptor.chunkCount) {
        throw new CryptoError(
          'attachment_oversized',
          `the ciphertext is longer than the ${decryptor.ciphertextLength} bytes its size implies`,
        );
      }
      const take = Math.min(piece.length - offset, this.#sealedBytes - this.#filled);
      this.#buffer.set(piece.subarray(offset, offset + take), this.#filled);
      this.#filled += take;
      offset += take;
      if (this.#filled < this.#sealedBytes) continue;
      const index = decryptor.nextChunk;
      const sealed = this.#buffer.slice(0, this.#sealedBytes);
      // Only a check: the plaintext is zeroed and dropped.
      (await decryptor.openChunk(index, sealed)).fill(0);
      this.#filled = 0;
      this.#batch.push(sealed);
      if (index + 1 < decryptor.chunkCount)
        this.#sealedBytes = attachmentChunkLengths(decryptor.size, index + 1).sealedBytes;
      if (this.#batch.length >= this.#batchChunks) await this.#flush();
    }
  }

  async #finish(): Promise<void> {
    if (this.#filled > 0) {
      throw new CryptoError(
        'attachment_truncated',
        `the ciphertext ended inside chunk ${this.#decryptor.nextChunk} of ${this.#decryptor.chunkCount}`,
      );
    }
    this.#decryptor.finish();
    await this.#flush();
    this.#state = 'finished';
  }

  async #flush(): Promise<void> {
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    await this.#chunks.put(this.localId, this.#batchStart, batch);
    this.#batchStart += batch.length;
    this.#batch = [];
    this.#stored += batch.reduce((sum, chunk) => sum + chunk.length, 0);
    this.#options.onProgress?.(this.#stored, this.length);
  }

  /**
   * Marks the writer failed and deletes its chunks. A delete that fails (the vault locked
   * meanwhile) leaves them to collectOrphans; the caller still gets the first error.
   */
  async #fail(error: unknown): Promise<void> {
    this.#state = 'failed';
    this.#failure = error;
    this.#batch = [];
    try {
      await this.#chunks.delete(this.localId);
    } catch {
      // Left to collectOrphans (module comment).
    }
  }
}

export function checkedBatchChunks(batchChunks: number | undefined): number {
  const value = batchChunks ?? DEFAULT_STORE_BATCH_CHUNKS;
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RangeError('attachment files: batchChunks must be a positive integer');
  return value;
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AttachmentFileError('cancelled', 'the operation was cancelled');
}
