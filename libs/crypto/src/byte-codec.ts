/**
 * The one strict big-endian byte reader and writer of the project: every record and frame of
 * docs/protocol/ (crypto.md's prekey state, transcripts, ratchet headers, sessions and sender key
 * messages; the wire formats of @opendescent/protocol) is built and parsed with it. Integers are
 * unsigned big-endian, lengths explicit (README.md, "Conventions"); a reader never reads past
 * its input, refuses trailing bytes and out-of-range values, and copies what it returns.
 *
 * It lives here, in the lowest library that needs it (libs/protocol imports libs/crypto, never
 * the reverse). Each library keeps its own error contract by passing `faults`: by default a
 * failure is a CryptoError ('bad_length' for short or trailing input, 'malformed_message' for a
 * value over its bound, ...); @opendescent/protocol turns every failure into a ProtocolError.
 * Nothing else is ever thrown on hostile bytes.
 */
import { isBytes } from './bytes';
import { CryptoError } from './errors';

/** What went wrong, for the library that maps it to its own error. */
export type ByteCodecFault =
  /** The input is not a Uint8Array at all. */
  | 'not_bytes'
  /** Fewer bytes than the next field needs (an empty record included). */
  | 'truncated'
  /** Bytes left after the last field. */
  | 'trailing'
  /** A length, count, flag or integer read beyond its documented bound. */
  | 'out_of_bounds'
  /** Text that is not well-formed UTF-8 (never replaced with U+FFFD). */
  | 'bad_utf8'
  /** A leading version byte this code no longer accepts. */
  | 'version_too_old'
  /** A leading version byte newer than this code knows. */
  | 'version_unknown'
  /** Writer: an integer that does not fit its field. */
  | 'unfit_value'
  /** Writer: a fixed-size field of the wrong length. */
  | 'wrong_length';

/** Makes the error to throw for a fault; the message names the record and field, never its bytes. */
export type ByteCodecFaults = (fault: ByteCodecFault, message: string) => Error;

const CRYPTO_CODES = {
  truncated: 'bad_length',
  trailing: 'bad_length',
  wrong_length: 'bad_length',
  out_of_bounds: 'malformed_message',
  bad_utf8: 'malformed_utf8',
  version_too_old: 'version_too_old',
  version_unknown: 'unknown_version',
  unfit_value: 'bad_parameter',
} as const;

/** @opendescent/crypto's contract: a TypeError for what is not bytes (a programming error), else a CryptoError. */
export const cryptoFaults: ByteCodecFaults = (fault, message) =>
  fault === 'not_bytes' ? new TypeError(message) : new CryptoError(CRYPTO_CODES[fault], message);

const TWO_POW_32 = 2 ** 32;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const inField = (field: string | undefined): string => (field === undefined ? '' : ` in ${field}`);

export class ByteWriter {
  readonly #parts: Uint8Array[] = [];
  readonly #faults: ByteCodecFaults;
  #length = 0;

  constructor(faults: ByteCodecFaults = cryptoFaults) {
    this.#faults = faults;
  }

  u8(value: number): this {
    return this.#uint(value, 1);
  }

  u16(value: number): this {
    return this.#uint(value, 2);
  }

  u32(value: number): this {
    return this.#uint(value, 4);
  }

  /** A non-negative safe integer (e.g. a time in ms) as 8 bytes. */
  u64(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0)
      throw this.#faults('unfit_value', `${value} is not a non-negative safe integer`);
    this.#uint(Math.floor(value / TWO_POW_32), 4);
    return this.#uint(value % TWO_POW_32, 4);
  }

  /** Raw bytes, no length prefix: for fixed-size fields (`length` checks it). Held by reference until finish() copies it. */
  raw(value: Uint8Array, length?: number): this {
    if (!isBytes(value)) throw this.#faults('not_bytes', 'ByteWriter: a field must be a Uint8Array');
    if (length !== undefined && value.length !== length)
      throw this.#faults('wrong_length', `expected ${length} bytes, got ${value.length}`);
    return this.#push(value);
  }

  /** u16 length, then the bytes. */
  bytes16(value: Uint8Array): this {
    return this.#prefixed(value, 2);
  }

  /** u32 length, then the bytes. */
  bytes32(value: Uint8Array): this {
    return this.#prefixed(value, 4);
  }

  get length(): number {
    return this.#length;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let offset = 0;
    for (const part of this.#parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  #prefixed(value: Uint8Array, width: 2 | 4): this {
    if (!isBytes(value)) throw this.#faults('not_bytes', 'ByteWriter: a field must be a Uint8Array');
    return this.#uint(value.length, width).raw(value);
  }

  #uint(value: number, byteLength: 1 | 2 | 4): this {
    if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** (8 * byteLength)) {
      throw this.#faults('unfit_value', `${value} does not fit in ${byteLength} unsigned byte(s)`);
    }
    const out = new Uint8Array(byteLength);
    for (let i = byteLength - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v % 256;
    return this.#push(out);
  }

  #push(part: Uint8Array): this {
    this.#parts.push(part);
    this.#length += part.length;
    return this;
  }
}

/** Reads one record or frame front to back. `field` arguments only name the field in an error. */
export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #faults: ByteCodecFaults;
  #offset = 0;

  constructor(
    bytes: Uint8Array,
    /** What is being read, for error messages (never the bytes themselves). */
    readonly what: string,
    faults: ByteCodecFaults = cryptoFaults,
  ) {
    if (!isBytes(bytes)) throw faults('not_bytes', `${what}: expected bytes`);
    this.#bytes = bytes;
    this.#faults = faults;
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  u8(field?: string): number {
    return this.#take(1, field)[0] as number;
  }

  u16(field?: string): number {
    const b = this.#take(2, field);
    return (b[0] as number) * 256 + (b[1] as number);
  }

  u32(field?: string): number {
    const b = this.#take(4, field);
    return (((b[0] as number) * 256 + (b[1] as number)) * 256 + (b[2] as number)) * 256 + (b[3] as number);
  }

  /** 8 bytes holding a safe integer; a value of 2^53 or more is out of bounds. */
  u64(field?: string): number {
    const high = this.u32(field);
    const low = this.u32(field);
    if (high >= 2 ** 21)
      throw this.#faults('out_of_bounds', `${this.what}: a u64 field${inField(field)} exceeds 2^53 - 1`);
    return high * TWO_POW_32 + low;
  }

  /** A 0/1 presence flag; anything else is out of bounds. */
  flag(field?: string): boolean {
    const value = this.u8(field);
    if (value > 1)
      throw this.#faults('out_of_bounds', `${this.what}: a flag byte${inField(field)} is ${value}, not 0 or 1`);
    return value === 1;
  }

  /** A copy of the next `length` bytes (callers may keep it; the input may be reused). */
  raw(length: number, field?: string): Uint8Array {
    return this.#take(length, field).slice();
  }

  /** A u16 length, checked against `maxLength` before the bytes it announces are read. */
  bytes16(maxLength: number, field?: string): Uint8Array {
    return this.#bounded(this.u16(field), maxLength, field);
  }

  /** A u32 length, checked against `maxLength` before the bytes it announces are read. */
  bytes32(maxLength: number, field?: string): Uint8Array {
    return this.#bounded(this.u32(field), maxLength, field);
  }

  /** UTF-8 text of `length` bytes; ill-formed UTF-8 is refused, never replaced. */
  utf8(length: number, field?: string): string {
    const bytes = this.#take(length, field);
    try {
      return strictUtf8.decode(bytes);
    } catch {
      throw this.#faults(
        'bad_utf8',
        `${this.what}:${field === undefined ? ' text' : ` ${field}`} is not well-formed UTF-8`,
      );
    }
  }

  /** A count field checked against its documented bound. */
  count(value: number, max: number, field: string): number {
    if (value > max) throw this.#faults('out_of_bounds', `${this.what}: ${field} is ${value}, over its bound ${max}`);
    return value;
  }

  /** Everything left, as a copy. */
  rest(): Uint8Array {
    return this.raw(this.remaining);
  }

  /** The error this reader's library throws for `fault`, for checks made beside the reader. */
  fault(fault: ByteCodecFault, message: string): Error {
    return this.#faults(fault, message);
  }

  /** Refuses trailing bytes: call once the last field is read. */
  end(): void {
    if (this.remaining !== 0)
      throw this.#faults('trailing', `${this.what}: ${this.remaining} unexpected trailing byte(s)`);
  }

  #bounded(length: number, maxLength: number, field: string | undefined): Uint8Array {
    if (length > maxLength)
      throw this.#faults(
        'out_of_bounds',
        `${this.what}: a field${inField(field)} of ${length} bytes exceeds ${maxLength}`,
      );
    return this.raw(length, field);
  }

  #take(length: number, field: string | undefined): Uint8Array {
    if (length > this.remaining) {
      throw this.#faults(
        'truncated',
        `${this.what} is truncated${inField(field)}: needed ${length} byte(s), ${this.remaining} left`,
      );
    }
    const out = this.#bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return out;
  }
}

/** Reads the leading version byte: an older one is 'version_too_old', a newer one 'version_unknown' (README.md, "Conventions"). */
export function expectVersion(reader: ByteReader, version: number): void {
  if (reader.remaining === 0) throw reader.fault('truncated', `${reader.what} is empty`);
  const got = reader.u8('version');
  if (got < version)
    throw reader.fault('version_too_old', `${reader.what} version ${got} is no longer accepted (expected ${version})`);
  if (got > version)
    throw reader.fault('version_unknown', `${reader.what} version ${got} is not known (expected ${version})`);
}
