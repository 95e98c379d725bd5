/**
 * The attachment cipher (docs/protocol/attachments.md §2). A file of `size` bytes is padded with
 * zeros to paddedAttachmentLength(size) (Padmé, attachment-length.ts), cut into 64 KiB chunks, and
 * chunk i is sealed with AES-256-GCM under a fresh per-file key K, with associated data the format
 * version and the nonce of the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár, "Online
 * Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance", CRYPTO 2015, §7):
 *
 *   nonce(12) = 0x00 × 7 ‖ i as u32 big-endian ‖ 0x01 if i is the last chunk, else 0x00
 *
 * The index and the final flag are authenticated, so a reordered, swapped or moved chunk fails its
 * tag, and a stream cut at a chunk boundary lacks its final chunk. The ciphertext is the sealed
 * chunks back to back, with no header; its digest (attachment-digest.ts: in format 2, SHA-256 of
 * the chunks' own SHA-256s) travels in the message beside K, `size` and the format, and the
 * receiver checks it at the end. Files are sealed in format 2 and opened in 1 or 2.
 *
 * K is used for one file only (the encryptor draws it), so the deterministic nonces never repeat
 * under a key, and sealing chunk i twice gives the same bytes, which lets an upload resume.
 */
import { type AesGcmKey, type AttachmentCipherBackend, aesGcmBackend } from './attachment-backend';
import {
  ATTACHMENT_FORMAT_VERSIONS,
  streamDigest,
  type AttachmentFormatVersion,
  type StreamDigest,
} from './attachment-digest';
import {
  ATTACHMENT_CHUNK_BYTES,
  ATTACHMENT_TAG_BYTES,
  attachmentChunkCount,
  attachmentCiphertextLength,
  paddedAttachmentLength,
} from './attachment-length';
import { constantTimeEqual, expectBytes } from './bytes';
import { CryptoError } from './errors';
import { randomBytes } from './random';

/**
 * The format files are sealed in, which is also the associated data of every chunk
 * (attachments.md §2): a new format gets a new byte, so no chunk opens as another format's.
 */
export const ATTACHMENT_FORMAT_VERSION: AttachmentFormatVersion = 2;
/** K, the AES-256-GCM key itself (no derivation: it is fresh and used for one file). */
export const ATTACHMENT_KEY_BYTES = 32;
/** The digest of the ciphertext (attachment-digest.ts), a SHA-256 in both formats. */
export const ATTACHMENT_DIGEST_BYTES = 32;

const associatedData = (version: AttachmentFormatVersion): Uint8Array => Uint8Array.of(version);
const NONCE_BYTES = 12;

export interface AttachmentCipherOptions {
  /** 'webcrypto' (the default, native) or 'noble' (pure JavaScript); both give the same bytes. */
  readonly backend?: AttachmentCipherBackend;
}

export interface AttachmentEncryptorOptions extends AttachmentCipherOptions {
  /**
   * Only to reproduce a known answer (golden vectors) or to resume the upload of the very same
   * file. A key used for two different files repeats every nonce: both files leak and tags can be
   * forged. Leave it out and the encryptor draws a fresh one.
   */
  readonly key?: Uint8Array;
  /**
   * The format to seal in: ATTACHMENT_FORMAT_VERSION unless asked. Format 1 is for tests and
   * golden vectors (files as earlier clients made them); a new file has no reason to use it.
   */
  readonly version?: AttachmentFormatVersion;
}

/** What the receiver reads from the message: the key, the file's size, the ciphertext digest and the format. */
export interface AttachmentDecryptParams {
  readonly key: Uint8Array;
  readonly size: number;
  readonly digest: Uint8Array;
  /** The format the file was sealed in (a message that names none carries format 1). */
  readonly version: AttachmentFormatVersion;
}

/** A format this library opens, or CryptoError('bad_parameter'). */
function checkedVersion(version: unknown): AttachmentFormatVersion {
  if (!ATTACHMENT_FORMAT_VERSIONS.includes(version as AttachmentFormatVersion))
    throw new CryptoError('bad_parameter', `attachment format ${String(version)} is not one this library opens`);
  return version as AttachmentFormatVersion;
}

/** Where chunk `index` of a file of `size` bytes sits, in file bytes and in ciphertext bytes. */
export interface AttachmentChunkLengths {
  /** The file's bytes in this chunk: [index·65536, min((index+1)·65536, size)); 0 for pure padding. */
  readonly fileBytes: number;
  /** File bytes plus zero padding: what is sealed. */
  readonly plaintextBytes: number;
  /** plaintextBytes + the 16-byte tag. */
  readonly sealedBytes: number;
  /** Whether this is chunk n−1, sealed with the final flag. */
  readonly final: boolean;
}

/**
 * The lengths of chunk `index` of a file of `size` bytes. A size outside the format, or an index
 * outside [0, attachmentChunkCount(size)), is CryptoError('bad_parameter').
 */
export function attachmentChunkLengths(size: number, index: number): AttachmentChunkLengths {
  const chunkCount = attachmentChunkCount(checkedSize(size));
  if (!Number.isSafeInteger(index) || index < 0 || index >= chunkCount)
    throw new CryptoError('bad_parameter', `chunk index ${index} is outside 0..${chunkCount - 1}`);
  const start = index * ATTACHMENT_CHUNK_BYTES;
  const plaintextBytes = Math.min(ATTACHMENT_CHUNK_BYTES, paddedAttachmentLength(size) - start);
  const fileBytes = Math.max(0, Math.min(ATTACHMENT_CHUNK_BYTES, size - start));
  return {
    fileBytes,
    plaintextBytes,
    sealedBytes: plaintextBytes + ATTACHMENT_TAG_BYTES,
    final: index === chunkCount - 1,
  };
}

/** Sizes come from a received message as often as from a local file: refuse them as input. */
function checkedSize(size: number): number {
  try {
    paddedAttachmentLength(size);
  } catch {
    throw new CryptoError('bad_parameter', 'an attachment size must be an integer from 0 to 2^40');
  }
  return size;
}

/** @internal The STREAM nonce of chunk `index` (attachments.md §2). */
export function attachmentChunkNonce(index: number, final: boolean): Uint8Array {
  const nonce = new Uint8Array(NONCE_BYTES);
  new DataView(nonce.buffer).setUint32(7, index, false);
  nonce[11] = final ? 0x01 : 0x00;
  return nonce;
}

/**
 * Seals one file, chunk by chunk, in format ATTACHMENT_FORMAT_VERSION. Chunks may be sealed in any
 * order and more than once (the bytes are the same each time); digest() needs every chunk to have
 * been sealed at least once.
 *
 * The key is readable (the sender puts it in the message) but never printed: it lives in a
 * private field behind a getter, which neither JSON.stringify nor util.inspect shows.
 */
export class AttachmentEncryptor {
  readonly #key: Uint8Array;
  readonly #aes: AesGcmKey;
  readonly #digest: StreamDigest;
  readonly chunkCount: number;
  readonly ciphertextLength: number;

  private constructor(
    key: Uint8Array,
    readonly size: number,
    aes: AesGcmKey,
    readonly backend: AttachmentCipherBackend,
    /** The format sealed: the message carries it. */
    readonly version: AttachmentFormatVersion,
  ) {
    this.#key = key;
    this.#aes = aes;
    this.chunkCount = attachmentChunkCount(size);
    this.ciphertextLength = attachmentCiphertextLength(size);
    this.#digest = streamDigest(this.version, this.chunkCount, backend);
  }

  /** An encryptor for a file of `size` bytes under a fresh random key (see the options for `key`). */
  static async create(size: number, options: AttachmentEncryptorOptions = {}): Promise<AttachmentEncryptor> {
    checkedSize(size);
    const version = checkedVersion(options.version ?? ATTACHMENT_FORMAT_VERSION);
    const backend = aesGcmBackend(options.backend ?? 'webcrypto');
    const key =
      options.key === undefined
        ? randomBytes(ATTACHMENT_KEY_BYTES)
        : expectBytes(options.key, 'attachment key', ATTACHMENT_KEY_BYTES).slice();
    return new AttachmentEncryptor(key, size, await backend.importKey(key), backend.name, version);
  }

  /** A copy of K, for the message that carries the attachment. */
  get key(): Uint8Array {
    return this.#key.slice();
  }

  /**
   * Seals chunk `index` (0-based). `fileBytes` is exactly the file's bytes of that chunk,
   * [index·65536, min((index+1)·65536, size)), possibly empty for a chunk of pure padding; the
   * encryptor adds the zero padding. A wrong length is CryptoError('bad_length'), an index out of
   * range CryptoError('bad_parameter').
   */
  async sealChunk(index: number, fileBytes: Uint8Array): Promise<Uint8Array> {
    const chunk = attachmentChunkLengths(this.size, index);
    expectBytes(fileBytes, `attachment chunk ${index}`, chunk.fileBytes);
    let plaintext = fileBytes;
    if (chunk.plaintextBytes !== fileBytes.length) {
      plaintext = new Uint8Array(chunk.plaintextBytes);
      plaintext.set(fileBytes);
    }
    const sealed = await this.#aes.seal(
      attachmentChunkNonce(index, chunk.final),
      associatedData(this.version),
      plaintext,
    );
    if (!this.#digest.complete) (await this.#digest.take(index, sealed))();
    return sealed;
  }

  /**
   * The ciphertext's digest, for the message. Before every chunk has been sealed it is
   * CryptoError('attachment_truncated'): the ciphertext it would cover is incomplete.
   */
  digest(): Uint8Array {
    return this.#digest.digest();
  }
}

/**
 * Opens one file of format 1 or 2, chunk by chunk, strictly in order 0..n−1 (the order is what
 * makes a missing final chunk visible, and format 1's digest covers the ciphertext in order). Each openChunk either returns
 * the chunk's file bytes and moves on, or throws and leaves the decryptor exactly as it was, so a
 * download can retry that chunk. finish() checks that every chunk came and that the digest matches;
 * until it returns, what openChunk released is provisional and must be discarded on a refusal.
 */
export class AttachmentDecryptor {
  readonly #aes: AesGcmKey;
  readonly #expectedDigest: Uint8Array;
  readonly #digest: StreamDigest;
  #nextChunk = 0;
  #busy = false;
  readonly chunkCount: number;
  readonly ciphertextLength: number;

  private constructor(
    readonly size: number,
    expectedDigest: Uint8Array,
    aes: AesGcmKey,
    readonly backend: AttachmentCipherBackend,
    readonly version: AttachmentFormatVersion,
  ) {
    this.#expectedDigest = expectedDigest;
    this.#aes = aes;
    this.chunkCount = attachmentChunkCount(size);
    this.ciphertextLength = attachmentCiphertextLength(size);
    this.#digest = streamDigest(version, this.chunkCount, backend);
  }

  /**
   * A key or digest of the wrong length is CryptoError('bad_length'); a size outside the format,
   * or a format this library does not open, CryptoError('bad_parameter').
   */
  static async create(
    params: AttachmentDecryptParams,
    options: AttachmentCipherOptions = {},
  ): Promise<AttachmentDecryptor> {
    const key = expectBytes(params.key, 'attachment key', ATTACHMENT_KEY_BYTES);
    const digest = expectBytes(params.digest, 'attachment digest', ATTACHMENT_DIGEST_BYTES).slice();
    const size = checkedSize(params.size);
    const version = checkedVersion(params.version);
    const backend = aesGcmBackend(options.backend ?? 'webcrypto');
    return new AttachmentDecryptor(size, digest, await backend.importKey(key), backend.name, version);
  }

  /** The index openChunk expects next (chunkCount once every chunk is open). */
  get nextChunk(): number {
    return this.#nextChunk;
  }

  /**
   * Opens chunk `index`, which must be `nextChunk`, and returns its file bytes (the padding is
   * checked to be zero and stripped). Refusals: another index or an overlapping call →
   * 'bad_parameter'; a sealed chunk of the wrong length for its index → 'bad_length'; a wrong tag
   * (wrong key, altered bytes, a chunk from another index or with the wrong final flag) →
   * 'auth_failed'; non-zero padding → 'attachment_padding'.
   */
  async openChunk(index: number, sealed: Uint8Array): Promise<Uint8Array> {
    if (this.#busy) throw new CryptoError('bad_parameter', 'openChunk: the previous chunk is still being opened');
    if (index !== this.#nextChunk)
      throw new CryptoError('bad_parameter', `openChunk: expected chunk ${this.#nextChunk}, got ${index}`);
    const chunk = attachmentChunkLengths(this.size, index);
    expectBytes(sealed, `attachment chunk ${index}`, chunk.sealedBytes);
    this.#busy = true;
    try {
      // Read for the digest now, before any await, so the digest covers the very bytes opened.
      const counting = this.#digest.take(index, sealed);
      const [plaintext, count] = await Promise.all([
        this.#aes.open(attachmentChunkNonce(index, chunk.final), associatedData(this.version), sealed),
        counting,
      ]);
      let padding = 0;
      for (let i = chunk.fileBytes; i < plaintext.length; i++) padding |= plaintext[i] as number;
      if (padding !== 0) throw new CryptoError('attachment_padding', `chunk ${index} has non-zero padding`);
      count();
      this.#nextChunk++;
      return plaintext.subarray(0, chunk.fileBytes);
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Checks the whole file: every chunk opened ('attachment_truncated' if not) and the ciphertext's
   * digest equal to the one from the message ('attachment_digest' if not).
   */
  finish(): void {
    if (this.#busy) throw new CryptoError('bad_parameter', 'finish: a chunk is still being opened');
    if (this.#nextChunk < this.chunkCount) {
      throw new CryptoError(
        'attachment_truncated',
        `the ciphertext ended after ${this.#nextChunk} of ${this.chunkCount} chunks`,
      );
    }
    if (!constantTimeEqual(this.#digest.digest(), this.#expectedDigest))
      throw new CryptoError('attachment_digest', 'the ciphertext does not match the digest in the message');
  }
}
