/**
 * The digest of an attachment's stored stream (docs/protocol/attachments.md §2.2): carried in the
 * message beside the key, checked by the receiver once the whole stream is in.
 *
 *  - Format 1: SHA-256 of the whole stream, hashed in order as the chunks go by. The hash runs in
 *    JavaScript (@noble/hashes), about 70 MiB/s in a Chromium worker, where it capped sealing and
 *    opening whatever the cipher did (bench-results/attachments-chromium.md).
 *  - Format 2: SHA-256 of h_0 ‖ … ‖ h_{n−1}, where h_i is the SHA-256 of sealed chunk i. Each h_i
 *    is one call to the platform's native SHA-256 (Web Crypto's digest; @noble/hashes for the
 *    'noble' backend, with the same bytes), and only the n × 32 bytes of the list are hashed in
 *    JavaScript. It names the exact stream as firmly: another stream of the same length differs
 *    in some chunk, hence (SHA-256 being collision resistant) in some h_i, hence in the list.
 *
 * Both are kept: a device opens the files it stored or received under format 1 as they were made.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { AttachmentCipherBackend } from './attachment-backend';
import { concatBytes } from './bytes';
import { CryptoError } from './errors';
import { bufferSource, subtleCrypto } from './webcrypto';

export type AttachmentFormatVersion = 1 | 2;
/** Every format this library opens; the newest is the one it seals. */
export const ATTACHMENT_FORMAT_VERSIONS: readonly AttachmentFormatVersion[] = [1, 2];

/** The running digest of one stream of `chunkCount` sealed chunks. */
export interface StreamDigest {
  /**
   * Starts on the sealed bytes of chunk `index` (they are read before this returns, so the caller
   * may reuse its buffer at once) and resolves to the step that counts them. Nothing is counted
   * until the step runs, so a chunk that turns out bad (a wrong tag) is simply not committed.
   */
  take(index: number, sealed: Uint8Array): Promise<() => void>;
  /** Whether chunks 0..n−1 have all been counted. */
  readonly complete: boolean;
  /** The digest; CryptoError('attachment_truncated') until `complete`. */
  digest(): Uint8Array;
}

export function streamDigest(
  version: AttachmentFormatVersion,
  chunkCount: number,
  backend: AttachmentCipherBackend,
): StreamDigest {
  return version === 1 ? new WholeStreamDigest(chunkCount) : new ChunkListDigest(chunkCount, backend);
}

function truncated(counted: number, chunkCount: number): CryptoError {
  return new CryptoError(
    'attachment_truncated',
    `the digest needs chunks 0..${chunkCount - 1}; ${counted} were counted`,
  );
}

/** Format 1: chunks are counted in order 0, 1, …; one that comes out of turn is left out. */
class WholeStreamDigest implements StreamDigest {
  #hash = sha256.create();
  #counted = 0;

  constructor(readonly chunkCount: number) {}

  get complete(): boolean {
    return this.#counted === this.chunkCount;
  }

  async take(index: number, sealed: Uint8Array): Promise<() => void> {
    const base = this.#hash;
    const next = index === this.#counted ? base.clone().update(sealed) : undefined;
    return () => {
      if (next === undefined || this.#hash !== base || this.#counted !== index) return;
      this.#hash = next;
      this.#counted += 1;
    };
  }

  digest(): Uint8Array {
    if (!this.complete) throw truncated(this.#counted, this.chunkCount);
    return this.#hash.clone().digest();
  }
}

/** Format 2: each chunk's own SHA-256, natively, in any order; then SHA-256 of the list. */
class ChunkListDigest implements StreamDigest {
  readonly #hashes: (Uint8Array | undefined)[];
  #counted = 0;

  constructor(
    readonly chunkCount: number,
    readonly backend: AttachmentCipherBackend,
  ) {
    this.#hashes = new Array<Uint8Array | undefined>(chunkCount);
  }

  get complete(): boolean {
    return this.#counted === this.chunkCount;
  }

  async take(index: number, sealed: Uint8Array): Promise<() => void> {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.chunkCount)
      throw new CryptoError('bad_parameter', `chunk index ${index} is outside 0..${this.chunkCount - 1}`);
    const hash = await chunkHash(sealed, this.backend);
    return () => {
      if (this.#hashes[index] !== undefined) return;
      this.#hashes[index] = hash;
      this.#counted += 1;
    };
  }

  digest(): Uint8Array {
    if (!this.complete) throw truncated(this.#counted, this.chunkCount);
    return sha256(concatBytes(...(this.#hashes as Uint8Array[])));
  }
}

/** SHA-256 of one sealed chunk; the bytes are read before the first await (Web Crypto copies them). */
function chunkHash(sealed: Uint8Array, backend: AttachmentCipherBackend): Promise<Uint8Array> {
  if (backend === 'noble') return Promise.resolve(sha256(sealed));
  const pending = subtleCrypto().digest('SHA-256', bufferSource(sealed));
  return pending.then((digest) => new Uint8Array(digest));
}
