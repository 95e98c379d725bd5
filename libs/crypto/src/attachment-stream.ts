/**
 * Streaming forms of the attachment cipher (attachment-cipher.ts; docs/protocol/attachments.md §2):
 * they take the file or its ciphertext in pieces of any size (a File stream, fetch's body), cut
 * them at chunk boundaries and hold at most one chunk, never the whole file.
 */
import {
  AttachmentDecryptor,
  AttachmentEncryptor,
  attachmentChunkLengths,
  type AttachmentCipherOptions,
  type AttachmentDecryptParams,
} from './attachment-cipher';
import type { AttachmentFormatVersion } from './attachment-digest';
import { ATTACHMENT_CHUNK_BYTES, ATTACHMENT_SEALED_CHUNK_BYTES } from './attachment-length';
import { expectBytes } from './bytes';
import { CryptoError } from './errors';

/**
 * One file being encrypted: iterate `chunks` once, upload each sealed chunk in order, then put
 * `key`, `size` and `digest()` in the message. The key is behind a getter, so printing this object
 * never shows it.
 */
export class EncryptedAttachment {
  readonly #encryptor: AttachmentEncryptor;
  /** The sealed chunks in order; concatenated they are the ciphertext (single use). */
  readonly chunks: AsyncIterable<Uint8Array>;

  constructor(encryptor: AttachmentEncryptor, source: AsyncIterable<Uint8Array>) {
    this.#encryptor = encryptor;
    this.chunks = sealInOrder(encryptor, source);
  }

  get key(): Uint8Array {
    return this.#encryptor.key;
  }

  get size(): number {
    return this.#encryptor.size;
  }

  get chunkCount(): number {
    return this.#encryptor.chunkCount;
  }

  get ciphertextLength(): number {
    return this.#encryptor.ciphertextLength;
  }

  /** The format it is sealed in, which the message carries with the digest. */
  get version(): AttachmentFormatVersion {
    return this.#encryptor.version;
  }

  /** The ciphertext's digest; before `chunks` is exhausted, CryptoError('attachment_truncated'). */
  digest(): Uint8Array {
    return this.#encryptor.digest();
  }
}

/**
 * Encrypts a file of `size` bytes, read from `source` in pieces of any size, under a fresh key.
 * A source that yields more or fewer than `size` bytes makes `chunks` throw CryptoError('bad_length')
 * (the chunk holding the file's last byte is sealed only once the source has ended, so excess
 * bytes are refused before that chunk is released).
 */
export async function encryptAttachment(
  source: AsyncIterable<Uint8Array>,
  size: number,
  options: AttachmentCipherOptions = {},
): Promise<EncryptedAttachment> {
  return new EncryptedAttachment(await AttachmentEncryptor.create(size, { backend: options.backend }), source);
}

async function* sealInOrder(encryptor: AttachmentEncryptor, source: AsyncIterable<Uint8Array>) {
  const { size, chunkCount } = encryptor;
  const buffer = new Uint8Array(ATTACHMENT_CHUNK_BYTES);
  let index = 0;
  let filled = 0;
  let received = 0;
  for await (const piece of source) {
    expectBytes(piece, 'attachment file piece');
    for (let offset = 0; offset < piece.length;) {
      if (received === size) throw new CryptoError('bad_length', `the file has more than its ${size} bytes`);
      const { fileBytes } = attachmentChunkLengths(size, index);
      const take = Math.min(piece.length - offset, fileBytes - filled);
      buffer.set(piece.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      received += take;
      if (filled === fileBytes && received < size) {
        yield await encryptor.sealChunk(index++, buffer.subarray(0, filled));
        filled = 0;
      }
    }
  }
  if (received < size) throw new CryptoError('bad_length', `the file ended after ${received} of its ${size} bytes`);
  // The chunk holding the last file byte, then any chunks of pure Padmé padding.
  for (; index < chunkCount; index++) {
    yield await encryptor.sealChunk(index, buffer.subarray(0, filled));
    filled = 0;
  }
}

/**
 * Decrypts a ciphertext read from `source` in pieces of any size and yields the file's bytes.
 * Refusals, as CryptoError: a bad tag → 'auth_failed'; the source ending early, mid-chunk or at a
 * chunk boundary → 'attachment_truncated'; bytes beyond the expected length →
 * 'attachment_oversized'; non-zero padding → 'attachment_padding'; a digest mismatch →
 * 'attachment_digest'. The last chunk's bytes are yielded only after all of these checks, but
 * earlier chunks are yielded as they are authenticated: a consumer discards what it has written
 * if the iteration throws.
 */
export async function* decryptAttachment(
  source: AsyncIterable<Uint8Array>,
  params: AttachmentDecryptParams,
  options: AttachmentCipherOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const decryptor = await AttachmentDecryptor.create(params, options);
  const { size, chunkCount } = decryptor;
  const buffer = new Uint8Array(ATTACHMENT_SEALED_CHUNK_BYTES);
  let sealedBytes = attachmentChunkLengths(size, 0).sealedBytes;
  let filled = 0;
  let last: Uint8Array | undefined;
  for await (const piece of source) {
    expectBytes(piece, 'attachment ciphertext piece');
    for (let offset = 0; offset < piece.length;) {
      if (decryptor.nextChunk === chunkCount) {
        throw new CryptoError(
          'attachment_oversized',
          `the ciphertext is longer than the ${decryptor.ciphertextLength} bytes its size implies`,
        );
      }
      const take = Math.min(piece.length - offset, sealedBytes - filled);
      buffer.set(piece.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled < sealedBytes) continue;
      const index = decryptor.nextChunk;
      const plaintext = await decryptor.openChunk(index, buffer.subarray(0, sealedBytes));
      filled = 0;
      if (index === chunkCount - 1) {
        last = plaintext;
      } else {
        sealedBytes = attachmentChunkLengths(size, index + 1).sealedBytes;
        if (plaintext.length > 0) yield plaintext;
      }
    }
  }
  if (decryptor.nextChunk < chunkCount && filled > 0) {
    throw new CryptoError(
      'attachment_truncated',
      `the ciphertext ended inside chunk ${decryptor.nextChunk} of ${chunkCount}`,
    );
  }
  decryptor.finish();
  if (last !== undefined && last.length > 0) yield last;
}
