/**
 * Shared by the attachment-file tests: files of known bytes, a store to seal them into, and checks
 * that a refusal has the right type and code.
 */
import { CryptoError, randomBytes, type CryptoErrorCode } from '@opendescent/crypto';
import { AttachmentChunks } from '../../src/store/attachment-chunks';
import { MemoryRecordStore } from '../../src/store/memory-record-store';
import { AttachmentFileError, type AttachmentFileErrorCode } from '../../src/messenger/attachment-file-error';

/** Random bytes: no window of them turns up anywhere by chance. */
export function randomFile(size: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(randomBytes(size));
}

export function emptyChunks(): { store: MemoryRecordStore; chunks: AttachmentChunks } {
  const store = new MemoryRecordStore();
  return { store, chunks: new AttachmentChunks(store) };
}

async function caught(action: Promise<unknown>): Promise<unknown> {
  return action.then(
    () => undefined,
    (error: unknown) => error,
  );
}

export async function expectCryptoError(action: Promise<unknown>, code: CryptoErrorCode): Promise<void> {
  const error = await caught(action);
  expect(error).toBeInstanceOf(CryptoError);
  expect((error as CryptoError).code).toBe(code);
}

export async function expectFileError(action: Promise<unknown>, code: AttachmentFileErrorCode): Promise<void> {
  const error = await caught(action);
  expect(error).toBeInstanceOf(AttachmentFileError);
  expect((error as AttachmentFileError).code).toBe(code);
}

/** Pieces of `bytes` of the given lengths, cycled until the bytes run out. */
export function* cut(bytes: Uint8Array, lengths: readonly number[]): Generator<Uint8Array> {
  for (let offset = 0, i = 0; offset < bytes.length; i++) {
    const length = lengths[i % lengths.length] as number;
    yield bytes.subarray(offset, offset + length);
    offset += length;
  }
}

/**
 * Compares bytes by their first difference: Jest's toEqual walks a megabyte element by element
 * for seconds, and its diff of two such arrays is unreadable anyway.
 */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  expect(actual.findIndex((byte, i) => byte !== expected[i])).toBe(-1);
}
