/** Shared by the attachment cipher specs: files, piece feeders and whole-ciphertext helpers. */
import { createHash } from 'node:crypto';
import type { AttachmentCipherBackend } from '../src/attachment-backend';
import { ATTACHMENT_FORMAT_VERSION, AttachmentEncryptor } from '../src/attachment-cipher';
import type { AttachmentFormatVersion } from '../src/attachment-digest';
import { decryptAttachment } from '../src/attachment-stream';
import { concatBytes } from '../src/bytes';
import { CryptoError, type CryptoErrorCode } from '../src/errors';

/** A file whose byte j is j mod 251 (prime, so no chunk or padding boundary lines up with it). */
export function patternFile(size: number): Uint8Array {
  const file = new Uint8Array(size);
  for (let j = 0; j < size; j++) file[j] = j % 251;
  return file;
}

/** `bytes` yielded in pieces of `pieceSize` bytes (the last shorter); 'whole' yields it at once. */
export async function* piecesOf(bytes: Uint8Array, pieceSize: number | 'whole'): AsyncGenerator<Uint8Array> {
  const step = pieceSize === 'whole' ? Math.max(1, bytes.length) : pieceSize;
  for (let offset = 0; offset < bytes.length; offset += step) yield bytes.subarray(offset, offset + step);
}

export async function* listOf(pieces: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* pieces;
}

export async function collect(iterable: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of iterable) parts.push(part);
  return concatBytes(...parts);
}

export interface Sealed {
  readonly key: Uint8Array;
  readonly size: number;
  readonly digest: Uint8Array;
  readonly version: AttachmentFormatVersion;
  readonly chunks: Uint8Array[];
  readonly ciphertext: Uint8Array;
}

/** Seals `file` chunk by chunk through the index-based API (optionally under a given key). */
export async function sealFile(
  file: Uint8Array,
  backend: AttachmentCipherBackend = 'webcrypto',
  key?: Uint8Array,
  version: AttachmentFormatVersion = ATTACHMENT_FORMAT_VERSION,
): Promise<Sealed> {
  const encryptor = await AttachmentEncryptor.create(file.length, { backend, key, version });
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < encryptor.chunkCount; i++) {
    const start = Math.min(file.length, i * 65_536);
    chunks.push(await encryptor.sealChunk(i, file.subarray(start, Math.min(file.length, start + 65_536))));
  }
  return {
    key: encryptor.key,
    size: file.length,
    digest: encryptor.digest(),
    version,
    chunks,
    ciphertext: concatBytes(...chunks),
  };
}

/** Decrypts `ciphertext` (given whole) against `sealed`'s key, size and digest, with overrides. */
export function decryptWhole(
  sealed: Pick<Sealed, 'key' | 'size' | 'digest' | 'version'>,
  ciphertext: Uint8Array,
  overrides: { key?: Uint8Array; size?: number; digest?: Uint8Array; backend?: AttachmentCipherBackend } = {},
): Promise<Uint8Array> {
  const params = {
    key: overrides.key ?? sealed.key,
    size: overrides.size ?? sealed.size,
    digest: sealed.digest,
    version: sealed.version,
  };
  if (overrides.digest !== undefined) params.digest = overrides.digest;
  return collect(decryptAttachment(piecesOf(ciphertext, 'whole'), params, { backend: overrides.backend }));
}

/** Awaits `run` and checks it was refused with CryptoError(`code`). */
export async function expectRefusal(run: () => Promise<unknown>, code: CryptoErrorCode): Promise<void> {
  let thrown: unknown;
  try {
    await run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(CryptoError);
  expect(thrown).toMatchObject({ code });
}

/** A copy of `bytes` with bit `bit` of byte `index` flipped. */
export function flipBit(bytes: Uint8Array, index: number, bit = 0): Uint8Array {
  const copy = bytes.slice();
  copy[index] = (copy[index] as number) ^ (1 << bit);
  return copy;
}

/**
 * Byte equality for large arrays: Jest's toEqual walks a typed array element by element (seconds
 * per MiB); this names the length and the first differing offset instead.
 */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  const length = Math.min(actual.length, expected.length);
  let firstDifference = -1;
  if (Buffer.compare(actual.subarray(0, length), expected.subarray(0, length)) !== 0) {
    firstDifference = actual.findIndex((byte, i) => byte !== expected[i]);
  }
  expect({ length: actual.length, firstDifference }).toEqual({ length: expected.length, firstDifference: -1 });
}

/**
 * The digest of sealed chunks as attachments.md §2.2 defines it, computed here with node:crypto
 * (OpenSSL), apart from the library's own code: format 1 hashes the stream, format 2 the list of
 * each chunk's SHA-256.
 */
export function expectedDigest(chunks: readonly Uint8Array[], version: AttachmentFormatVersion): Uint8Array {
  const outer = createHash('sha256');
  for (const chunk of chunks) outer.update(version === 1 ? chunk : createHash('sha256').update(chunk).digest());
  return new Uint8Array(outer.digest());
}
