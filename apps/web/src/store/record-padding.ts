/**
 * The framing of a record's plaintext before it is sealed (docs/protocol/storage.md §3.1): padded
 * to a size bucket so that a copy of the store shows which bucket a record falls in, not its exact
 * length (before this framing a 2-, 500- and 3,000-character message sealed to 129, 627 and 3,127
 * bytes).
 *
 * Version 2 (written):
 * | offset | size          | field                  | why                                              |
 * | 0      | 1             | 0x02                   | below 0x20, so never the first byte of version 1 |
 * | 1      | 4             | n, u32be               | the content's length: the framing is unambiguous |
 * | 5      | n             | content                | encodeRecordValue's JSON                         |
 * | 5 + n  | bucket − 5 − n | 0x00 bytes            | every framed record is exactly bucket(n) bytes   |
 *   bucket(n) = the least power of two ≥ 5 + n, and at least 256: a record leaks at most which
 *   power of two it falls under (log2 of its size, a handful of values for messages) at a cost of
 *   less than 2× in space. Padmé would cost less space but leak more bits per record.
 * Version 1 (read only): the bare JSON, whose first byte is one of { [ " - 0-9 t f n, never below
 * 0x20. Any other first byte below 0x20 is a framing this client does not read.
 *
 * The frame is inside the AEAD, so a stolen copy cannot alter it: a malformed frame (a length past
 * the end, non-zero padding, a size that is not the bucket of its length) is a bug or corruption,
 * and is refused rather than guessed at.
 */
import { VaultError } from './vault-error';

export const RECORD_FRAME_VERSION = 0x02;
export const MIN_RECORD_BUCKET = 256;
const FRAME_HEADER_LENGTH = 5;
/** Version 1 records are JSON texts, and JSON.stringify never begins one with whitespace or a control character. */
const FIRST_TEXT_BYTE = 0x20;
const MAX_CONTENT_LENGTH = 2 ** 31;

/** The framed size of a record whose content is `contentLength` bytes. */
export function recordBucket(contentLength: number): number {
  if (!Number.isSafeInteger(contentLength) || contentLength < 0 || contentLength > MAX_CONTENT_LENGTH) {
    throw new RangeError('record padding: the content length is out of range');
  }
  const needed = FRAME_HEADER_LENGTH + contentLength;
  let bucket = MIN_RECORD_BUCKET;
  while (bucket < needed) bucket *= 2;
  return bucket;
}

/** Frames and pads `content` (version 2). The caller zeroes both arrays once sealed. */
export function padRecordPlaintext(content: Uint8Array): Uint8Array {
  const framed = new Uint8Array(recordBucket(content.length));
  framed[0] = RECORD_FRAME_VERSION;
  new DataView(framed.buffer).setUint32(1, content.length);
  framed.set(content, FRAME_HEADER_LENGTH);
  return framed;
}

/**
 * The content of an opened record: a view into `framed` (version 2) or `framed` itself (version 1),
 * so that zeroing `framed` zeroes it. Refuses unsupported_version and corrupt_record.
 */
export function unpadRecordPlaintext(framed: Uint8Array): Uint8Array {
  if (framed.length === 0) throw new VaultError('corrupt_record', 'a record opens to nothing');
  const version = framed[0] as number;
  if (version >= FIRST_TEXT_BYTE) return framed;
  if (version !== RECORD_FRAME_VERSION) {
    throw new VaultError(
      'unsupported_version',
      `record framing ${version}; this client reads 1 and ${RECORD_FRAME_VERSION}`,
    );
  }
  if (framed.length < FRAME_HEADER_LENGTH) throw new VaultError('corrupt_record', 'a record frame is truncated');
  const length = new DataView(framed.buffer, framed.byteOffset, framed.byteLength).getUint32(1);
  if (length > framed.length - FRAME_HEADER_LENGTH || framed.length !== recordBucket(length)) {
    throw new VaultError('corrupt_record', 'a record frame has the wrong length for its content');
  }
  const end = FRAME_HEADER_LENGTH + length;
  // Past the authentication tag this is a check for bugs, not for forgeries: no need for constant time.
  for (let i = end; i < framed.length; i++) {
    if (framed[i] !== 0) throw new VaultError('corrupt_record', 'a record frame has non-zero padding');
  }
  return framed.subarray(FRAME_HEADER_LENGTH, end);
}
